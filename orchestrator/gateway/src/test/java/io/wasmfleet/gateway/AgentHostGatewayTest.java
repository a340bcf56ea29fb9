package io.wasmfleet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.hostapi.HostApiClient.Response;
import io.wasmfleet.wasm.BuiltModules;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gateway driving our firmware's C core: agent-host (firmware/host, its VM a test double of
 * WAMR) on a pty, a serial board of the gateway through jSerialComm; a reboot is a new process
 * on the same link.
 */
class AgentHostGatewayTest {

  private static Process agentHost(Path link) throws Exception {
    Path exe = BuiltModules.repositoryRoot().resolve("build/firmware/unit/host/agent-host");
    assertTrue(Files.isExecutable(exe), exe + " has not been built: run firmware/test.sh (bin/test does)");
    Process p = new ProcessBuilder(exe.toString(), "--device-id", "h1", "--link", link.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String first = out.readLine();
    assertEquals("ready", out.readLine(), "agent-host started: " + first);
    return p;
  }

  private static String loadOk(String module) {
    return "LOAD_OK sha256=" + io.wasmfleet.protocol.load2.Load2Receiver.sha256Hex(BuiltModules.wasmBytes(module));
  }

  @Test
  void theGatewayDrivesTheCAgentThroughTheHostApi() throws Exception {
    Path link = Files.createTempDirectory("agent-host").resolve("h1.pty");
    Process board = agentHost(link);
    try (GatewayNode node = GatewayNode.start(ConfigFactory.parseMap(Map.of(
        "wasmfleet.gateway.api.port", 0,
        "wasmfleet.gateway.campaigns.store.url", "jdbc:sqlite:" + link.getParent().resolve("campaigns.db"),
        "wasmfleet.gateway.build.cache-dir", link.getParent().resolve("cache").toString(),
        "wasmfleet.gateway.boards.h1.endpoint", link.toString(),
        "wasmfleet.gateway.boards.h1.type", "nucleo_f446re")))) {
      HostApiClient client = new HostApiClient("127.0.0.1", node.apiPort(), Duration.ofSeconds(30));
      Response status = client.status("h1");
      assertEquals("STATUS_OK modules=\"none\" low_stack=\"none\" wamr_total=102400 wamr_free=100344 wamr_used=2056"
          + " wamr_highmark=2056 caps=timing,stopfix,exactkeys,idletimeout,load2,native", status.detail());

      Response built = client.buildAndLoad("h1", "math_ops",
          Files.readAllBytes(BuiltModules.source("math_ops.c")), "math_ops.c", "wasm", false, null);
      // the C core says load2, so the gateway uploads in LOAD v2 frames and the board names the digest
      assertTrue(built.detail().matches("LOAD_OK sha256=[0-9a-f]{64}"), built.json().toString());
      Response add = client.start("h1", "math_ops", "add", "a=10,b=15", true, 10);
      assertTrue(add.detail().startsWith("RESULT status=OK module_id=math_ops func=add ret_i32=25 elapsed_us="),
          add.detail());

      assertEquals(loadOk("toggle_forever"), client.load("h1", "t", BuiltModules.wasmBytes("toggle_forever"), null, false,
          null).detail());
      Response full = client.load("h1", "hello", BuiltModules.wasmBytes("uart_hello"), null, false, null);
      assertFalse(full.ok());
      assertEquals("LOAD_ERR code=NO_SLOT msg=\"MAX_MODULES reached\"", full.error());
      Response victim = client.load("h1", "hello", BuiltModules.wasmBytes("uart_hello"), null, true, "t");
      assertEquals(loadOk("uart_hello"), victim.detail(), victim.json().toString());
      String both = client.status("h1").detail();
      assertTrue(both.matches("STATUS_OK modules=\"math_ops:LOADED:wasm=\\d+:stack_free=4096,"
          + "hello:LOADED:wasm=994:stack_free=4096\" .*"), both);

      Response back = client.load("h1", "t", BuiltModules.wasmBytes("toggle_forever"), null, true, "hello");
      assertEquals(loadOk("toggle_forever"), back.detail(), back.json().toString());
      assertEquals("START_OK", client.start("h1", "t", "toggle_forever", null, false, 10).detail());
      Response stop = client.stop("h1", "t", 10);
      assertTrue(stop.detail().startsWith("RESULT status=STOPPED module_id=t func=toggle_forever"
          + " msg=\"Exception: terminated by user\""), stop.detail());

      // a reboot: the board's process dies and a new one comes up on the same link
      board.destroyForcibly().waitFor();
      board = agentHost(link);
      Response after = null;
      for (int i = 0; i < 10; i++) { // each waits up to connect-wait for the link to come back
        after = client.status("h1");
        if (after.ok()) {
          break;
        }
      }
      assertTrue(after.ok(), after.json().toString());
      assertTrue(after.detail().startsWith("STATUS_OK modules=\"none\""), after.detail());
      Response gone = client.start("h1", "math_ops", "add", "a=1,b=2", true, 10);
      assertEquals("RESULT status=NO_MODULE module_id=math_ops", gone.error(), "the gateway's view is the board's");

      // A campaign: the board's built-in native C is its baseline row; the FFT needs floats,
      // which the VM test double does not run: that cell fails, saying why, the others go on.
      java.io.ByteArrayOutputStream blob = new java.io.ByteArrayOutputStream();
      com.fasterxml.jackson.databind.node.ObjectNode run = CampaignRequests.run("board=h1", "interp", 2, 3, blob);
      Response done = client.sendStreaming(run, blob.toByteArray(), HostApiClient.Progress.NONE, e -> { });
      assertTrue(done.ok(), done.json().toString());
      assertEquals(4, done.json().get("cells").asInt(), "fft and toggle, native and interp");
      assertEquals(1, done.json().get("failed").asInt(), done.json().toString());
      com.fasterxml.jackson.databind.JsonNode failure = done.json().get("failures").get(0);
      assertEquals("fft/interp", failure.get("bench").asText() + "/" + failure.get("mode").asText());
      assertTrue(failure.get("error").asText().contains("opcode 0x43 is not run by agent-host's VM test double"),
          failure.toString());
      com.fasterxml.jackson.databind.node.ObjectNode show = HostApiClient.request("campaign", null);
      show.put("v", 2);
      show.put("op", "show");
      show.put("id", done.json().get("campaign").asText());
      com.fasterxml.jackson.databind.JsonNode cells = client.send(show, null).json().get("campaign").get("cells");
      for (com.fasterxml.jackson.databind.JsonNode cell : cells) {
        String what = cell.get("bench").asText() + "/" + cell.get("mode").asText();
        if (what.equals("fft/interp")) {
          continue;
        }
        assertEquals("DONE", cell.get("state").asText(), cell.toString());
        assertEquals("POSIX", cell.get("rtos").asText());
        assertEquals(3, cell.get("runs").size(), cell.toString());
        if (what.equals("fft/native")) {
          assertEquals("Native C (built into the firmware)", cell.get("runtime").asText());
          assertEquals(4121015288L, cell.get("checksum").asLong(), "the FFT the wasm module computes");
        }
      }
    } finally {
      board.destroyForcibly();
    }
  }
}
