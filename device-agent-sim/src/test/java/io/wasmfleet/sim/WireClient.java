package io.wasmfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.wasmfleet.protocol.Crc32;
import io.wasmfleet.protocol.DeviceLine;
import io.wasmfleet.protocol.GatewayCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test's side of a board's wire: sends command lines and payloads, and reads the board's
 * lines as they come (a reader thread queues them). Reads wait at most {@link #WAIT}; the
 * waits are an upper bound for failures, never a synchronisation sleep.
 */
public class WireClient implements AutoCloseable {

  public static final Duration WAIT = Duration.ofSeconds(15);
  private static final String EOF = "\u0000EOF";

  private final OutputStream out;
  private final AutoCloseable closer;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> console = new ArrayList<>();

  public WireClient(InputStream in, OutputStream out, AutoCloseable closer) {
    this.out = out;
    this.closer = closer;
    Thread reader = new Thread(() -> readLoop(in), "wire-client");
    reader.setDaemon(true);
    reader.start();
  }

  public static WireClient tcp(String host, int port) throws IOException {
    Socket s = new Socket(host, port);
    s.setTcpNoDelay(true);
    return new WireClient(s.getInputStream(), s.getOutputStream(), s);
  }

  private void readLoop(InputStream in) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = in.read()) >= 0) {
        if (b == '\n') {
          lines.add(line.toString(StandardCharsets.ISO_8859_1));
          line.reset();
        } else {
          line.write(b);
        }
      }
    } catch (IOException e) {
      // closed
    }
    lines.add(EOF);
  }

  public WireClient send(String line) throws IOException {
    out.write((line + "\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  public WireClient send(GatewayCommand command) throws IOException {
    return send(command.format());
  }

  public WireClient sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** The next line, whatever it is; fails when none comes in {@link #WAIT}. */
  public String nextLine() throws InterruptedException {
    String line = lines.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(line, "no line from the board within " + WAIT);
    return line;
  }

  /** The next line within {@code wait}, or null. */
  public String pollLine(Duration wait) throws InterruptedException {
    return lines.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** True when the board closed the connection (EOF comes next). */
  public boolean closedByBoard() throws InterruptedException {
    String line = lines.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    return EOF.equals(line);
  }

  /** The next protocol line, keeping console lines aside ({@link #console()}). */
  public DeviceLine next() throws InterruptedException {
    while (true) {
      String text = nextLine();
      assertNotNullLine(text);
      DeviceLine line = DeviceLine.parse(text);
      if (line instanceof DeviceLine.Console c) {
        console.add(c.text());
      } else {
        return line;
      }
    }
  }

  private static void assertNotNullLine(String text) {
    if (EOF.equals(text)) {
      throw new AssertionError("the board closed the connection");
    }
  }

  public <T extends DeviceLine> T next(Class<T> type) throws InterruptedException {
    DeviceLine line = next();
    return assertInstanceOf(type, line, () -> "expected " + type.getSimpleName() + ", got: " + line.format());
  }

  /** The next protocol line, as text. */
  public String nextText() throws InterruptedException {
    return next().format();
  }

  /** Console lines seen so far (module output, noise), in order. */
  public List<String> console() {
    return console;
  }

  /** LOAD with the right size and CRC, the payload after LOAD_READY; returns the final line. */
  public DeviceLine load(String moduleId, byte[] payload, String extraKeys) throws Exception {
    send("LOAD module_id=" + moduleId + " size=" + payload.length + " crc32=" + Crc32.hex(Crc32.of(payload))
        + (extraKeys.isEmpty() ? "" : " " + extraKeys));
    DeviceLine first = next();
    if (!(first instanceof DeviceLine.LoadReady ready)) {
      return first;
    }
    assertEquals(moduleId, ready.moduleId());
    assertEquals(payload.length, ready.size());
    sendBytes(payload);
    return next();
  }

  public DeviceLine load(String moduleId, byte[] payload) throws Exception {
    return load(moduleId, payload, "");
  }

  public void loadOk(String moduleId, byte[] payload) throws Exception {
    assertEquals("LOAD_OK", load(moduleId, payload).format());
  }

  /** SIM_FAULT with {@code keys}; returns the board's SIM_OK line (fails on anything else). */
  public String fault(String keys) throws Exception {
    send("SIM_FAULT " + keys);
    String reply = nextLine();
    org.junit.jupiter.api.Assertions.assertTrue(reply.startsWith("SIM_OK "), reply);
    return reply;
  }

  public DeviceLine.StatusOk status() throws Exception {
    send("STATUS");
    return next(DeviceLine.StatusOk.class);
  }

  @Override
  public void close() throws Exception {
    closer.close();
  }
}
