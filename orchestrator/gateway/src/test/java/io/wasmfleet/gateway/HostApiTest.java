package io.wasmfleet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.hostapi.HostApiClient.Response;
import io.wasmfleet.protocol.Crc32;
import io.wasmfleet.wasm.BuiltModules;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every host API v1 request kind against a real gateway and real simulated boards over TCP,
 * with good and bad input. Each test uses its own board, so tests do not see each other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostApiTest {

  private GatewayFixture gw;
  private HostApiClient client;

  @BeforeAll
  void start() throws Exception {
    List<GatewayFixture.Board> boards = new ArrayList<>();
    for (int i = 1; i <= 16; i++) {
      boards.add(GatewayFixture.Board.of(String.format("b%02d", i), i % 2 == 0 ? "nucleo_f746zg" : "nucleo_f446re"));
    }
    boards.add(new GatewayFixture.Board("reboots", "nucleo_f446re", Map.of(), Map.of("reboot-at-payload-byte", 100)));
    boards.add(new GatewayFixture.Board("noisy", "nucleo_f446re", Map.of(), Map.of("noise-rate", 1.0, "seed", 3)));
    boards.add(new GatewayFixture.Board("fw100", "nucleo_f446re", Map.of("extensions", "off"), Map.of()));
    gw = GatewayFixture.start(boards, Map.of("wasmfleet.gateway.build.wamrc", "no-such-wamrc"));
    client = gw.client;
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  private static byte[] module(String name) {
    return BuiltModules.wasmBytes(name);
  }

  private Response load(String board, String id, String module) throws Exception {
    return client.load(board, id, module(module), module + ".wasm", false, null);
  }

  private void loadOk(String board, String id, String module) throws Exception {
    Response r = load(board, id, module);
    assertTrue(r.ok(), r.json().toString());
    assertEquals("LOAD_OK", r.detail());
  }

  // ---- status, load, start, stop ------------------------------------------------------------

  @Test
  void statusIsTheBoardsOwnLine() throws Exception {
    Response r = client.status("b01");
    assertTrue(r.ok());
    assertTrue(r.detail().startsWith("STATUS_OK modules=\"none\" low_stack=\"none\" wamr_total=102400 "), r.detail());
    assertTrue(r.e2eMillis() > 0);
  }

  @Test
  void loadThenAddWithWaitResultGivesTwentyFive() throws Exception {
    loadOk("b02", "math_ops", "math_ops");
    Response r = client.start("b02", "math_ops", "add", "a=10,b=15", true, 10);
    assertTrue(r.ok(), r.json().toString());
    assertTrue(r.detail().startsWith("RESULT status=OK module_id=math_ops func=add ret_i32=25"), r.detail());
    assertTrue(client.status("b02").detail().contains("math_ops:LOADED:wasm=" + module("math_ops").length));
  }

  @Test
  void startWithoutWaitIsOkAtStartOkAndStopEndsTheJob() throws Exception {
    loadOk("b03", "t", "toggle_forever");
    Response started = client.start("b03", "t", "toggle_forever", null, false, 10);
    assertEquals("START_OK", started.detail());
    assertTrue(client.status("b03").detail().contains("t:RUNNING"));
    Response stopped = client.stop("b03", "t", 10);
    assertTrue(stopped.ok(), stopped.json().toString());
    assertTrue(stopped.detail().startsWith("RESULT status=STOPPED module_id=t func=toggle_forever"), stopped.detail());
    assertEquals("STOP_OK status=IDLE", client.stop("b03", "t", 10).detail());
  }

  @Test
  void anImmediateRefusalIsTheAnswer() throws Exception {
    Response r = client.start("b04", "ghost", "add", null, false, 10);
    assertFalse(r.ok());
    assertEquals("RESULT status=NO_MODULE module_id=ghost", r.error());
  }

  @Test
  void aJobThatOutlivesTheResultTimeoutIsReportedStillRunning() throws Exception {
    loadOk("b05", "t", "toggle_forever");
    Response r = client.start("b05", "t", "toggle_forever", null, true, 0.3);
    assertFalse(r.ok());
    assertEquals("no RESULT for t in time; the job is still running (stop it with: stop --module-id t)", r.error());
    assertTrue(client.stop("b05", "t", 10).ok());
  }

  @Test
  void aResultWithoutModuleIdIsAttributedToTheJobStartedLast() throws Exception {
    loadOk("fw100", "m", "math_ops");
    Response r = client.start("fw100", "m", "no_such_export", null, true, 10);
    assertFalse(r.ok());
    assertEquals("RESULT status=NO_FUNC", r.error(), "firmware 1.0.0 prints no module_id; the gateway still answers");
    Response ok = client.start("fw100", "m", "add", "a=1,b=2", true, 10);
    assertEquals("RESULT status=OK module_id=m func=add ret_i32=3", ok.detail());
  }

  // ---- bad input ----------------------------------------------------------------------------

  @Test
  void anUnknownDeviceIsNamedWithTheKnownOnes() throws Exception {
    Response r = client.status("nucleo_f9");
    assertFalse(r.ok());
    assertTrue(r.error().startsWith("device 'nucleo_f9' is not known; known: b01, b02, "), r.error());
  }

  @Test
  void aBlobWithTheWrongCrcIsRefused() throws Exception {
    byte[] math = module("math_ops");
    ObjectNode req = HostApiClient.request("load", "b06");
    req.put("module_id", "m");
    req.put("blob_size", math.length);
    req.put("blob_crc32", "00000000");
    Response r = client.send(req, math);
    assertFalse(r.ok());
    assertEquals("CRC mismatch expected=00000000 got=" + Crc32.hex(Crc32.of(math)), r.error());
    assertTrue(client.status("b06").detail().contains("modules=\"none\""), "nothing reached the board");
  }

  @Test
  void missingAndInvalidFieldsAreNamed() throws Exception {
    assertEquals("missing field 'device'", client.send(HostApiClient.request("status", null), null).error());
    ObjectNode noId = HostApiClient.request("start", "b07");
    assertEquals("missing field 'module_id'", client.send(noId, null).error());
    assertEquals("invalid module_id 'math ops': use 1 to 31 letters, digits, '_', '.' or '-'",
        client.start("b07", "math ops", null, null, false, 10).error());
    assertTrue(client.start("b07", "m", "add", "a=1,b=x", false, 10).error().startsWith("invalid args"));
    assertTrue(client.start("b07", "m", "add;STATUS", null, false, 10).error().startsWith("invalid func_name"));
    ObjectNode bad = HostApiClient.request("reboot", "b07");
    assertTrue(client.send(bad, null).error().startsWith("unknown cmd 'reboot'; known: status, load, build_and_load, start, stop"));
    ObjectNode huge = HostApiClient.request("load", "b07");
    huge.put("module_id", "m");
    huge.put("blob_size", 1L << 40);
    huge.put("blob_crc32", "00000000");
    assertTrue(client.send(huge, null).error().startsWith("field 'blob_size' must be between 1 and"));
    ObjectNode mode = HostApiClient.request("build_and_load", "b07");
    mode.put("module_id", "m");
    mode.put("mode", "jit");
    mode.put("source_size", 1);
    mode.put("source_crc32", Crc32.hex(Crc32.of(new byte[] {'x'})));
    assertEquals("field 'mode' must be wasm or aot, got 'jit'", client.send(mode, new byte[] {'x'}).error());
  }

  @Test
  void garbageGetsExactlyOneAnswer() throws Exception {
    for (String garbage : new String[] {"not json at all", "[1,2,3]", "{\"cmd\": 42}", "\u0000\u00ff"}) {
      try (Socket s = new Socket("127.0.0.1", gw.node.apiPort())) {
        s.getOutputStream().write((garbage + "\n").getBytes(StandardCharsets.UTF_8));
        s.shutdownOutput();
        String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, all.lines().count(), all);
        JsonNode answer = new ObjectMapper().readTree(all);
        assertFalse(answer.get("ok").asBoolean());
        assertFalse(answer.get("error").asText().isEmpty());
      }
    }
  }

  @Test
  void aFileThatIsNotAModuleNeverReachesTheBoard() throws Exception {
    byte[] source = Files.readAllBytes(BuiltModules.source("math_ops.c"));
    Response r = client.load("b08", "m", source, "math_ops.c", false, null);
    assertFalse(r.ok());
    assertEquals("'math_ops.c' is neither a wasm module nor a WAMR AOT file (magic header not detected)", r.error());
    byte[] x86 = Files.readAllBytes(aot("add-x86_64.aot"));
    Response wrongCpu = client.load("b08", "m", x86, "add-x86_64.aot", false, null);
    assertEquals("'add-x86_64.aot' is an AOT file for x86_64, but b08 is a cortex-m7 (thumbv7em): invalid target"
        + " bit width, expected 32-bit but got 64-bit; rebuild with wamrc --target=thumbv7em --cpu=cortex-m7",
        wrongCpu.error());
    assertTrue(client.status("b08").detail().contains("modules=\"none\""));
    Response thumb = client.load("b08", "a", Files.readAllBytes(aot("add-cortex-m7.aot")), "add.aot", false, null);
    assertEquals("LOAD_OK", thumb.detail());
  }

  static Path aot(String name) {
    return BuiltModules.repositoryRoot().resolve("testdata/aot").resolve(name);
  }

  // ---- build_and_load -----------------------------------------------------------------------

  @Test
  void buildAndLoadCompilesCAndCachesTheArtifact() throws Exception {
    byte[] source = Files.readAllBytes(BuiltModules.source("math_ops.c"));
    Response r = client.buildAndLoad("b09", "m", source, "math_ops.c", "wasm", false, null);
    assertTrue(r.ok(), r.json().toString());
    assertEquals("LOAD_OK", r.detail());
    assertEquals("load", r.json().get("step").asText());
    Path wasm = Path.of(r.json().get("wasm_path").asText());
    assertTrue(Files.isRegularFile(wasm) && wasm.toString().endsWith("math_ops.wasm"));
    assertEquals(25, (int) Long.parseLong(client.start("b09", "m", "add", "a=10,b=15", true, 10).detail()
        .replaceAll(".*ret_i32=(\\d+).*", "$1")));
    Response again = client.buildAndLoad("b10", "m", source, "math_ops.c", "wasm", false, null);
    assertTrue(again.json().get("cached").asBoolean(), "the same source and flags compile once");
    assertEquals(wasm.toString(), again.json().get("wasm_path").asText());
  }

  @Test
  void aCompilerErrorComesBackWithItsStderr() throws Exception {
    byte[] source = "int broken( { return 0; }\n".getBytes(StandardCharsets.US_ASCII);
    Response r = client.buildAndLoad("b11", "m", source, "broken.c", "wasm", false, null);
    assertFalse(r.ok());
    assertEquals("compile_wasm", r.json().get("step").asText());
    assertEquals("clang failed (exit 1)", r.error());
    assertTrue(r.json().get("stderr").asText().contains("error:"), r.json().get("stderr").asText());
  }

  @Test
  void aotWithoutWamrcNamesTheMissingTool() throws Exception {
    byte[] source = Files.readAllBytes(BuiltModules.source("toggle_forever.c"));
    // fw100 says no sim=1 in its HELLO and is not tagged simulated: it stands for a real board
    Response r = client.buildAndLoad("fw100", "t", source, "toggle_forever.c", "aot", false, null);
    assertFalse(r.ok());
    assertEquals("compile_aot", r.json().get("step").asText());
    assertTrue(r.error().startsWith("'no-such-wamrc' (WAMR's AOT compiler) is not installed or not on PATH"), r.error());
    assertTrue(r.json().get("wasm_path").asText().endsWith(".wasm"), "the wasm step did run");
  }

  @Test
  void aotOnASimulatedBoardRunsTheWasmCompiledAndSaysSo() throws Exception {
    byte[] source = Files.readAllBytes(BuiltModules.source("math_ops.c"));
    Response r = client.buildAndLoad("b16", "fast", source, "math_ops.c", "aot", false, null);
    assertTrue(r.ok(), r.json().toString());
    assertTrue(r.json().get("note").asText().startsWith("b16 is a simulated board: mode=aot runs the wasm compiled"));
    assertTrue(client.status("b16").detail().contains("fast:compiled"));
    assertTrue(client.start("b16", "fast", "add", "a=10,b=15", true, 10).detail().contains("ret_i32=25"));
  }

  // ---- replace and victims ------------------------------------------------------------------

  @Test
  void fullSlotsAndVictims() throws Exception {
    loadOk("b12", "a", "math_ops");
    loadOk("b12", "b", "toggle_forever");
    Response noSlot = load("b12", "c", "uart_hello");
    assertEquals("LOAD_ERR code=NO_SLOT msg=\"MAX_MODULES reached\"", noSlot.error());

    Response unknown = client.load("b12", "c", module("uart_hello"), null, false, "zz");
    assertEquals("replace_victim 'zz' is not loaded on board b12 (loaded: a, b)", unknown.error(),
        "checked before touching the board");

    assertTrue(client.start("b12", "a", "add", "a=1,b=1", true, 10).ok(), "a is used last");
    Response auto = client.load("b12", "c", module("uart_hello"), null, false, "auto");
    assertTrue(auto.ok(), auto.json().toString());
    assertEquals("b", auto.json().get("victim").asText());
    assertEquals("victim b chosen automatically: idle, and the least recently used", auto.json().get("decision").asText());
    assertTrue(client.status("b12").detail().contains("modules=\"a:LOADED"));

    Response explicit = client.load("b12", "d", module("toggle"), null, false, "a");
    assertTrue(explicit.ok());
    String status = client.status("b12").detail();
    assertTrue(status.contains("d:LOADED") && status.contains("c:LOADED") && !status.contains("a:"), status);
  }

  @Test
  void aVictimForAnInPlaceReloadIsIgnoredByTheBoard() throws Exception {
    loadOk("b13", "a", "math_ops");
    loadOk("b13", "b", "toggle");
    Response r = client.load("b13", "a", module("math_ops"), null, false, "b");
    assertEquals("LOAD_OK warn=VICTIM_IGNORED replace_victim=b", r.detail());
  }

  @Test
  void aRunningModuleIsReplacedOnlyWithReplace() throws Exception {
    loadOk("b14", "t", "toggle_forever");
    assertEquals("START_OK", client.start("b14", "t", "toggle_forever", null, false, 10).detail());
    assertEquals("LOAD_ERR code=BUSY msg=\"module running\"", load("b14", "t", "math_ops").error());
    Response replaced = client.load("b14", "t", module("math_ops"), null, true, null);
    assertEquals("LOAD_OK", replaced.detail());
    assertTrue(client.status("b14").detail().contains("t:LOADED"));
  }

  // ---- the board misbehaves -----------------------------------------------------------------

  @Test
  void aBoardRebootingMidLoadFailsTheLoadClearly() throws Exception {
    Response r = client.load("reboots", "f", module("fft_bench"), null, false, null);
    assertFalse(r.ok());
    assertEquals("board reboots rebooted; its modules are gone", r.error());
    assertTrue(client.status("reboots").detail().startsWith("STATUS_OK modules=\"none\""));
  }

  @Test
  void aBoardRebootingMidRunFailsTheWaitingStart() throws Exception {
    loadOk("b15", "t", "toggle_forever");
    CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return client.start("b15", "t", "toggle_forever", null, true, 60);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    awaitModuleState("b15", "t", "RUNNING");
    gw.farm.board("b15").reboot();
    Response r = waiting.get();
    assertFalse(r.ok());
    assertEquals("board b15 rebooted; its modules are gone (t was lost)", r.error());
    assertTrue(client.status("b15").detail().startsWith("STATUS_OK modules=\"none\""));
  }

  /** Probes the v2 board list until the gateway shows {@code module} in {@code state}. */
  private void awaitModuleState(String board, String module, String state) throws Exception {
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (System.nanoTime() < deadline) {
      ObjectNode req = HostApiClient.request("boards", null);
      req.put("v", 2);
      for (JsonNode b : client.send(req, null).json().get("boards")) {
        if (b.get("board").asText().equals(board)) {
          for (JsonNode m : b.get("modules")) {
            if (m.get("id").asText().equals(module) && m.get("state").asText().equals(state)) {
              return;
            }
          }
        }
      }
    }
    throw new AssertionError(module + " on " + board + " never reached " + state);
  }

  @Test
  void consoleNoiseBetweenRepliesChangesNothing() throws Exception {
    loadOk("noisy", "m", "math_ops");
    Response r = client.start("noisy", "m", "add", "a=2,b=3", true, 10);
    assertTrue(r.detail().startsWith("RESULT status=OK module_id=m func=add ret_i32=5"), r.detail());
    ObjectNode req = HostApiClient.request("console", "noisy");
    req.put("v", 2);
    JsonNode lines = client.send(req, null).json().get("lines");
    assertTrue(lines.size() >= 3, "the noise is kept as the board's console: " + lines);
  }

  @Test
  void boardsListsEveryBoard() throws Exception {
    ObjectNode req = HostApiClient.request("boards", null);
    req.put("v", 2);
    JsonNode boards = client.send(req, null).json().get("boards");
    assertEquals(19, boards.size());
    JsonNode b01 = boards.get(0);
    assertEquals("b01", b01.get("board").asText());
    assertEquals("cortex-m4", b01.get("cpu").asText());
    assertEquals("CONNECTED", b01.get("link").asText());
  }

  @Test
  void theSeedClientsRequestsWorkAsSent() throws Exception {
    // exactly what host.py sends: no optional fields at all
    byte[] wasm = module("math_ops");
    String line = "{\"cmd\": \"load\", \"device\": \"b16\", \"module_id\": \"math_ops\", \"blob_size\": " + wasm.length
        + ", \"blob_crc32\": \"" + Crc32.hex(Crc32.of(wasm)) + "\"}\n";
    try (Socket s = new Socket("127.0.0.1", gw.node.apiPort())) {
      s.getOutputStream().write(line.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().write(wasm);
      assertEquals("{\"ok\":true,\"detail\":\"LOAD_OK\",\"decision\":\"a slot was free\"}", readAll(s.getInputStream()).strip());
    }
  }

  private static String readAll(InputStream in) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
