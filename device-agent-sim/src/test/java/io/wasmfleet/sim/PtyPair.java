package io.wasmfleet.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real pseudo-terminal pair made by {@code socat -d -d pty,raw,echo=0 pty,raw,echo=0}: bytes
 * written to one end come out of the other, as over a USB serial cable. The two device paths
 * are read from socat's own log, so nothing waits on a guess.
 */
public final class PtyPair implements AutoCloseable {

  private static final Pattern PTY = Pattern.compile("PTY is (\\S+)");

  public final String a;
  public final String b;
  private final Process socat;

  public PtyPair() throws Exception {
    socat = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0")
        .redirectErrorStream(true).start();
    BufferedReader log = new BufferedReader(new InputStreamReader(socat.getInputStream(), StandardCharsets.US_ASCII));
    List<String> paths = new ArrayList<>();
    String line;
    while (paths.size() < 2 && (line = log.readLine()) != null) {
      Matcher m = PTY.matcher(line);
      if (m.find()) {
        paths.add(m.group(1));
      }
    }
    assertTrue(paths.size() == 2, "socat did not report two ptys");
    a = paths.get(0);
    b = paths.get(1);
    Thread drain = new Thread(() -> {
      try {
        while (log.readLine() != null) {
          // keep socat's log pipe from filling
        }
      } catch (java.io.IOException ignored) {
        // socat ended
      }
    }, "socat-log");
    drain.setDaemon(true);
    drain.start();
  }

  @Override
  public void close() {
    socat.destroy();
  }
}
