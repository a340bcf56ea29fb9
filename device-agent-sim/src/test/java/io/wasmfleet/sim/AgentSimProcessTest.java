package io.wasmfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.protocol.DeviceLine.Hello;
import io.wasmfleet.protocol.DeviceLine.Result;
import io.wasmfleet.wasm.BuiltModules;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The agent-sim program: a separate JVM with two boards, its admin port, and its usage errors. */
class AgentSimProcessTest {

  @Test
  void twoBoardsInASeparateProcess() throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "io.wasmfleet.sim.AgentSim", "--board", "nucleo_f446=nucleo_f446re:0",
        "--board", "nucleo_f746=nucleo_f746zg:0", "--admin-port", "0").redirectErrorStream(false).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
      Map<String, Integer> ports = new LinkedHashMap<>();
      int admin = -1;
      Pattern board = Pattern.compile("^board (\\S+) .*endpoint=tcp:127\\.0\\.0\\.1:(\\d+)$");
      String line;
      while ((line = out.readLine()) != null && !line.equals("ready")) {
        Matcher m = board.matcher(line);
        if (m.matches()) {
          ports.put(m.group(1), Integer.parseInt(m.group(2)));
        } else if (line.startsWith("admin port=")) {
          admin = Integer.parseInt(line.substring("admin port=".length()));
        }
      }
      assertEquals(List.of("nucleo_f446", "nucleo_f746"), new ArrayList<>(ports.keySet()));

      try (WireClient c = WireClient.tcp("127.0.0.1", ports.get("nucleo_f746"))) {
        assertEquals("nucleo_f746", c.next(Hello.class).deviceId());
        assertEquals(216 * 1024, c.status().pool().total());
        c.loadOk("m", BuiltModules.wasmBytes("math_ops"));
        c.send("START module_id=m func=add args=\"a=10,b=15\"");
        assertEquals("START_OK", c.nextText());
        assertEquals(25, c.next(Result.class).retI32());
      }

      assertNotEquals(-1, admin);
      try (Socket s = new Socket("127.0.0.1", admin);
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))) {
        s.getOutputStream().write("nucleo_f446 SIM_INFO\nnobody SIM_INFO\n".getBytes(StandardCharsets.US_ASCII));
        String info = in.readLine();
        assertTrue(info.startsWith("SIM_OK device_id=nucleo_f446 board=nucleo_f446re cpu=cortex-m4"), info);
        assertEquals("SIM_ERR msg=\"expected '<board-id> SIM_...'; boards: nucleo_f446,nucleo_f746\"", in.readLine());
      }
    } finally {
      p.destroy();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "agent-sim stops on SIGTERM");
    }
  }

  private static String usageError(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cmd = AgentSim.commandLine();
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args);
    assertNotEquals(0, code);
    assertTrue(!err.toString().contains("\tat "), "no stack trace for a user's mistake: " + err);
    return err.toString();
  }

  @Test
  void usageErrorsNameTheProblem() {
    assertTrue(usageError("--board", "nucleo_f446re").startsWith("agent-sim: board 'nucleo_f446re': "));
    assertTrue(usageError("--board", "nucleo_f446re").contains(
        "board 'nucleo_f446re': expected [ID=]PROFILE:PORT or [ID=]PROFILE:serial:PATH"));
    assertTrue(usageError("--board", "nucleo_f446re:seventy").contains("'seventy' is not a TCP port"));
    assertTrue(usageError("--board", "stm32h7:0").contains(
        "unknown board profile 'stm32h7'; known: nucleo_f446re, nucleo_f746zg"));
    assertTrue(usageError("--board", "bad id=nucleo_f446re:0").contains("invalid board id 'bad id'"));
    assertTrue(usageError("--board", "x=nucleo_f446re:serial:/dev/no-such-tty").contains(
        "cannot open serial device /dev/no-such-tty"));
  }
}
