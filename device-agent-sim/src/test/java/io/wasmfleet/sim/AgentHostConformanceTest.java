package io.wasmfleet.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fazecast.jSerialComm.SerialPort;
import io.wasmfleet.wasm.BuiltModules;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The conformance suite against our firmware's C core: {@code agent-host} (firmware/host) on a
 * real pseudo-terminal, opened through jSerialComm as the gateway opens a board's serial port.
 * Its VM is vm_double.c, a test double of WAMR (WAMR cannot be installed here). It always speaks
 * LOAD v2; a {@code signing-key} and {@code require-signature} become its options of those names.
 */
class AgentHostConformanceTest extends Load2ConformanceSuite {

  /**
   * The agent-host under test: the one firmware/test.sh builds (VM test double), or, with
   * {@code -Dwasmfleet.agent-host=PATH -Dwasmfleet.agent-host.runtime=WAMR}, one built with WAMR_ROOT.
   */
  static Path binary() {
    String given = System.getProperty("wasmfleet.agent-host");
    Path exe = given != null && !given.isBlank() ? Path.of(given)
        : BuiltModules.repositoryRoot().resolve("build/firmware/unit/host/agent-host");
    assertTrue(Files.isExecutable(exe), exe + " has not been built: run firmware/test.sh (bin/test does)");
    return exe;
  }

  @Override
  protected BoardUnderTest boot(String profile, Map<String, String> overrides) throws Exception {
    String id = "host-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> cmd = new ArrayList<>(List.of(binary().toString(), "--board", profile, "--device-id", id));
    if (overrides.containsKey("load-timeout")) {
      cmd.addAll(List.of("--payload-idle-ms",
          Long.toString(com.typesafe.config.ConfigFactory.parseString("t = " + overrides.get("load-timeout"))
              .getDuration("t").toMillis())));
    }
    for (String option : List.of("signing-key", "require-signature")) {
      if (overrides.containsKey(option)) {
        cmd.addAll(List.of("--" + option, overrides.get(option)));
      }
    }
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String first = out.readLine();
    String ready = out.readLine();
    assertTrue(first != null && "ready".equals(ready), "agent-host did not start: " + first);
    String pty = first.replaceAll(".* pty=(\\S+).*", "$1");
    return new BoardUnderTest() {
      private final List<SerialPort> ports = new ArrayList<>();

      @Override
      public WireClient connect() {
        SerialPort port = SerialPort.getCommPort(pty);
        port.setComPortParameters(115200, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_BLOCKING, 0, 0);
        assertTrue(port.openPort(), "jSerialComm opens " + pty);
        ports.add(port);
        return new WireClient(port.getInputStream(), port.getOutputStream(), port::closePort);
      }

      @Override
      public String deviceId() {
        return id;
      }

      @Override
      public void close() {
        ports.forEach(SerialPort::closePort);
        p.destroyForcibly();
      }
    };
  }

  /** agent-host has no LED to watch; its natives wake on STOP, so nothing needs waiting for. */
  @Override
  protected void awaitLedToggled(WireClient wire, String moduleId) {
  }

  @Override
  protected String[] expectedFirmware() {
    return new String[] {"POSIX", System.getProperty("wasmfleet.agent-host.runtime", "vm-test-double"), "1.1.0"};
  }

  @Override
  protected String overLongLineReply() {
    return "ERROR code=LINE_TOO_LONG";
  }

  @Override
  protected boolean runsAot() {
    return false; // vm_double cannot load AOT; with WAMR_ROOT it loads the host's (x86-64) AOT, not a board's
  }

  @Override
  protected boolean nativesWakeOnStop() {
    return true;
  }
}
