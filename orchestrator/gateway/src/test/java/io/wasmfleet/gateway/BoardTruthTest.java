package io.wasmfleet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.hostapi.HostApiClient.Response;
import io.wasmfleet.protocol.DeviceLine.StatusOk;
import io.wasmfleet.sim.board.SimulatedBoard;
import io.wasmfleet.wasm.BuiltModules;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Whatever a board does, every request gets exactly one clear answer, and afterwards the
 * gateway's view ({@code "v": 2, "cmd": "boards"}) equals the board's own STATUS. A real
 * gateway drives real simulated boards over TCP; every fault the simulator injects is tried
 * with every operation (the fault matrix), then the points of issue 9 one by one: a load cut or
 * rebooted mid-payload leaves no phantom, a rebooted board is never fed the rest of a payload,
 * late replies are answered from what the board did, and a failed replace is rolled back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BoardTruthTest {

  /** One operation of the matrix: what the board needs first, then the request. */
  private record Operation(String name, Prep prep, Function<String, Request> request) {}

  private record Request(ObjectNode json, byte[] blob) {}

  interface Prep {
    void on(String board) throws Exception;
  }

  /** One fault: set on the board before the request (SIM_FAULT keys), or an action during it. */
  private record Fault(String name, String simFault, boolean hang, boolean rebootDuring) {}

  private static final List<Fault> FAULTS = List.of(
      new Fault("none", null, false, false),
      new Fault("cut mid-command", "cut_after_bytes=3", false, false),
      new Fault("cut mid-payload", "cut_after_bytes=120", false, false),
      new Fault("reboot mid-payload", "reboot_at_payload_byte=50", false, false),
      new Fault("reboot mid-run", null, false, true),
      new Fault("hang", null, true, false),
      new Fault("delay beyond the reply timeout", "delay_ms=1500", false, false),
      new Fault("delay within the reply timeout", "delay_ms=300", false, false),
      new Fault("console noise", "noise_rate=1.0 seed=7", false, false),
      new Fault("payload corruption", "corrupt_rate=0.05 seed=11", false, false),
      new Fault("pool shrink", "pool_shrink=90000", false, false));

  private GatewayFixture gw;
  private HostApiClient client;
  private List<Operation> operations;

  @BeforeAll
  void start() throws Exception {
    List<GatewayFixture.Board> boards = new ArrayList<>();
    for (String name : List.of("m-status", "m-load", "m-build", "m-start", "m-startwait", "m-stop", "m-victim",
        "m-auto", "m-replace", "phantom", "injection", "late", "rb-inplace", "rb-victim", "rb-off", "rb-crc")) {
      boards.add(GatewayFixture.Board.of(name, "nucleo_f446re"));
    }
    gw = GatewayFixture.start(boards, Map.of(
        "wasmfleet.gateway.device.reply-timeout", "1s",
        "wasmfleet.gateway.device.status-timeout", "2s",
        "wasmfleet.gateway.device.load-ready-timeout", "1s",
        "wasmfleet.gateway.device.load-ok-timeout", "3s",
        "wasmfleet.gateway.device.payload-margin", "1s",
        "wasmfleet.gateway.device.connect-wait", "4s",
        "wasmfleet.gateway.device.reconnect-backoff-min", "50ms",
        "wasmfleet.gateway.device.reconnect-backoff-max", "500ms",
        "wasmfleet.gateway.ask-margin", "3s"));
    client = gw.client;
    byte[] source = Files.readAllBytes(BuiltModules.repositoryRoot().resolve("wasm/c/math_ops.c"));
    operations = List.of(
        new Operation("status", b -> { }, b -> new Request(HostApiClient.request("status", b), null)),
        new Operation("load", b -> { }, b -> load(b, "m", "math_ops", false, null)),
        new Operation("build_and_load", b -> { }, b -> new Request(
            HostApiClient.buildAndLoadRequest(b, "m", source, "math_ops.c", "wasm", false, null), source)),
        new Operation("start", b -> loadOk(b, "t", "toggle_forever"),
            b -> new Request(HostApiClient.startRequest(b, "t", "toggle_forever", null, false, 5), null)),
        new Operation("start with wait", b -> loadOk(b, "m", "math_ops"),
            b -> new Request(HostApiClient.startRequest(b, "m", "add", "a=2,b=3", true, 5), null)),
        new Operation("stop", b -> {
          loadOk(b, "t", "toggle_forever");
          assertTrue(client.start(b, "t", "toggle_forever", null, false, 5).ok());
        }, b -> new Request(HostApiClient.stopRequest(b, "t", 5), null)),
        new Operation("explicit victim", b -> {
          loadOk(b, "a", "math_ops");
          loadOk(b, "b", "toggle");
        }, b -> load(b, "c", "uart_hello", false, "a")),
        new Operation("auto victim", b -> {
          loadOk(b, "a", "math_ops");
          loadOk(b, "b", "toggle");
        }, b -> load(b, "c", "uart_hello", false, "auto")),
        new Operation("replace in place", b -> loadOk(b, "m", "math_ops"), b -> load(b, "m", "uart_hello", true, null)));
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  private static String boardOf(Operation op) {
    return switch (op.name()) {
      case "status" -> "m-status";
      case "load" -> "m-load";
      case "build_and_load" -> "m-build";
      case "start" -> "m-start";
      case "start with wait" -> "m-startwait";
      case "stop" -> "m-stop";
      case "explicit victim" -> "m-victim";
      case "auto victim" -> "m-auto";
      default -> "m-replace";
    };
  }

  private static Request load(String board, String id, String module, boolean replace, String victim) {
    byte[] wasm = BuiltModules.wasmBytes(module);
    return new Request(HostApiClient.loadRequest(board, id, wasm, module + ".wasm", replace, victim), wasm);
  }

  private void loadOk(String board, String id, String module) throws Exception {
    Response r = client.load(board, id, BuiltModules.wasmBytes(module), module + ".wasm", false, null);
    assertTrue(r.ok(), board + ": " + r.json());
  }

  private SimulatedBoard sim(String board) {
    return gw.farm.board(board);
  }

  // ---- the fault matrix ---------------------------------------------------------------------

  @Test
  void everyFaultWithEveryOperationGetsOneClearAnswerAndTheViewEqualsTheBoard() throws Exception {
    List<String> cells = new ArrayList<>();
    for (Fault fault : FAULTS) {
      List<CompletableFuture<String>> running = new ArrayList<>();
      for (Operation op : operations) {
        running.add(CompletableFuture.supplyAsync(() -> {
          try {
            return cell(fault, op);
          } catch (Exception | AssertionError e) {
            throw new AssertionError(fault.name() + " x " + op.name() + ": " + e.getMessage(), e);
          }
        }));
      }
      for (CompletableFuture<String> c : running) {
        cells.add(c.get(120, TimeUnit.SECONDS));
      }
    }
    assertEquals(FAULTS.size() * operations.size(), cells.size());
    System.out.println("fault matrix (" + cells.size() + " cells):\n  " + String.join("\n  ", cells));
  }

  /** One cell: a clean board, the preparation, the fault, the request; then the checks. */
  private String cell(Fault fault, Operation op) throws Exception {
    String board = boardOf(op);
    SimulatedBoard sim = sim(board);
    sim.reboot();
    awaitViewEqualsBoard(board);
    op.prep().on(board);
    if (fault.simFault() != null) {
      assertTrue(sim.admin("SIM_FAULT clear=1 " + fault.simFault()).startsWith("SIM_OK"));
    }
    if (fault.hang()) {
      sim.hang();
    }
    long before = linesRead(sim);
    Request request = op.request().apply(board);
    CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() -> {
      try {
        return client.send(request.json(), request.blob());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    if (fault.rebootDuring()) {
      awaitCommandRead(sim, before, answer);
      sim.reboot();
    }
    Response r = answer.get(60, TimeUnit.SECONDS);
    // exactly one answer, and a clear one: ok with the board's line, or an error that says why
    assertTrue(r.ok() ? !r.detail().isBlank() : r.error() != null && !r.error().isBlank(), r.json().toString());
    sim.admin("SIM_FAULT clear=1");
    sim.release();
    awaitViewEqualsBoard(board);
    String rollback = !r.json().has("rolled_back") ? ""
        : r.json().get("rolled_back").asBoolean() ? " [rolled back]"
            : " [rollback failed: " + r.json().path("rollback_failed").asText() + "]";
    return fault.name() + " x " + op.name() + ": " + (r.ok() ? "ok " + r.detail() : "error " + r.error()) + rollback;
  }

  private static long linesRead(SimulatedBoard sim) {
    return Long.parseLong(sim.admin("SIM_INFO").replaceAll(".* lines_read=(\\d+).*", "$1"));
  }

  /** Probes until the board has read the request's command line (or the request was answered). */
  private static void awaitCommandRead(SimulatedBoard sim, long before, CompletableFuture<Response> answer) {
    Probe.await(10, () -> answer.isDone() || linesRead(sim) > before, () -> "the board never read the request");
  }

  /** The gateway's view of {@code board}: module id -> LOADED / RUNNING (STOPPING counts as RUNNING), or LOADING. */
  private Map<String, String> view(String board) {
    Map<String, String> out = viewWithPool(board);
    out.remove(POOL_USED);
    return out;
  }

  private static final String POOL_USED = "<pool used>";

  /** {@link #view}, and the bytes of the WAMR pool in use. */
  private Map<String, String> viewWithPool(String board) {
    ObjectNode req = HostApiClient.request("boards", null);
    req.put("v", 2);
    JsonNode boards;
    try {
      boards = client.send(req, null).json().get("boards");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    for (JsonNode b : boards) {
      if (b.get("board").asText().equals(board)) {
        if (!b.get("link").asText().equals("CONNECTED")) {
          return Map.of("<link>", b.get("link").asText());
        }
        Map<String, String> out = new TreeMap<>();
        out.put(POOL_USED, b.path("pool").path("used").asText("?"));
        for (JsonNode m : b.get("modules")) {
          String state = m.get("state").asText();
          out.put(m.get("id").asText(), state.equals("STOPPING") ? "RUNNING" : state);
        }
        return out;
      }
    }
    throw new AssertionError("board " + board + " is not listed");
  }

  private Map<String, String> truth(String board) {
    Map<String, String> out = truthWithPool(board);
    out.remove(POOL_USED);
    return out;
  }

  /** The board's own STATUS: its modules' states, and the bytes of its WAMR pool in use. */
  private Map<String, String> truthWithPool(String board) {
    StatusOk status = sim(board).status();
    Map<String, String> out = new TreeMap<>();
    out.put(POOL_USED, status.pool() == null ? "?" : Long.toString(status.pool().used()));
    status.modules().forEach(m -> out.put(m.id(), m.state()));
    return out;
  }

  /**
   * Probes until the gateway's view equals the board's own STATUS, the pool's use included (the
   * gateway must get there by itself).
   */
  private void awaitViewEqualsBoard(String board) {
    Map<String, Map<String, String>> last = new TreeMap<>();
    Probe.await(20, () -> {
      Map<String, String> truth = truthWithPool(board);
      Map<String, String> view = viewWithPool(board);
      last.put("view", view);
      last.put("truth", truth);
      return view.equals(truth) && truth.equals(truthWithPool(board));
    }, () -> "board " + board + ": the gateway shows " + last.get("view") + " but the board's STATUS says "
        + last.get("truth"));
  }

  // ---- 4. no phantom after a LOAD that died mid-payload --------------------------------------

  @Test
  void aLoadCutMidPayloadLeavesNoPhantomAndAutoVictimStillWorks() throws Exception {
    loadOk("phantom", "a", "math_ops");
    sim("phantom").admin("SIM_FAULT cut_after_bytes=150");
    Response cut = client.load("phantom", "b", BuiltModules.wasmBytes("fft_bench"), "fft_bench.wasm", false, null);
    assertFalse(cut.ok());
    assertTrue(cut.error().startsWith("link to board phantom lost"), cut.error());
    awaitViewEqualsBoard("phantom");
    assertEquals(Map.of("a", "LOADED"), view("phantom"), "no LOADING phantom of b");

    loadOk("phantom", "b", "toggle");
    Response auto = client.load("phantom", "c", BuiltModules.wasmBytes("uart_hello"), "uart_hello.wasm", false, "auto");
    assertTrue(auto.ok(), auto.json().toString());
    assertEquals("a", auto.json().get("victim").asText(), "a real module is chosen, never a phantom");
    awaitViewEqualsBoard("phantom");
  }

  // ---- 5. a rebooted board is never fed the rest of a payload --------------------------------

  @Test
  void aBoardRebootedMidPayloadIsNotFedTheRestAsCommands() throws Exception {
    byte[] fft = BuiltModules.wasmBytes("fft_bench");
    sim("injection").admin("SIM_FAULT reboot_at_payload_byte=100");
    Response r = client.load("injection", "f", fft, "fft_bench.wasm", false, null);
    assertEquals("board injection rebooted; its modules are gone", r.error());
    awaitViewEqualsBoard("injection");
    String info = sim("injection").admin("SIM_INFO");
    long unknown = Long.parseLong(info.replaceAll(".* unknown_commands=(\\d+).*", "$1"));
    // the gateway stops within its payload lead (64 bytes): at most a line or two of the rest
    // reaches the fresh board, not the ~fft.length bytes it used to
    assertTrue(unknown <= 2, "lines the fresh board read from the rest of a " + fft.length + "-byte payload: "
        + unknown + " (" + info + ")");
    System.out.println("reboot at payload byte 100 of " + fft.length + " bytes: the fresh board read " + unknown
        + " line(s) of the rest as commands");
  }

  // ---- 6. late replies -----------------------------------------------------------------------

  @Test
  void aStartWhoseReplyComesLateIsAnsweredWithWhatTheBoardDid() throws Exception {
    loadOk("late", "t", "toggle_forever");
    sim("late").admin("SIM_FAULT delay_ms=1500");
    Response r = client.start("late", "t", "toggle_forever", null, false, 5);
    assertTrue(r.ok(), "the job did start: " + r.json());
    assertEquals("START_OK", r.detail());
    sim("late").admin("SIM_FAULT clear=1");
    awaitViewEqualsBoard("late");
    assertEquals(Map.of("t", "RUNNING"), view("late"));

    sim("late").admin("SIM_FAULT delay_ms=1500");
    Response stop = client.stop("late", "t", 5);
    sim("late").admin("SIM_FAULT clear=1");
    assertTrue(stop.ok() || stop.error().contains("STATUS afterwards"), stop.json().toString());
    awaitViewEqualsBoard("late");
  }

  // ---- 7. a failed replace is rolled back ----------------------------------------------------

  @Test
  void aReplaceInPlaceCutMidPayloadIsRolledBack() throws Exception {
    byte[] old = BuiltModules.wasmBytes("math_ops");
    loadOk("rb-inplace", "m", "math_ops");
    sim("rb-inplace").admin("SIM_FAULT reboot_at_payload_byte=40");
    Response r = client.load("rb-inplace", "m", BuiltModules.wasmBytes("uart_hello"), "uart_hello.wasm", true, null);
    assertFalse(r.ok());
    assertEquals("board rb-inplace rebooted; its modules are gone", r.error());
    assertTrue(r.json().get("rolled_back").asBoolean(), r.json().toString());
    StatusOk status = sim("rb-inplace").status();
    assertEquals(1, status.modules().size());
    assertEquals("m", status.modules().get(0).id());
    assertEquals(old.length, status.modules().get(0).wasmBytes(), "the old module is back");
    awaitViewEqualsBoard("rb-inplace");
    Response add = client.start("rb-inplace", "m", "add", "a=20,b=22", true, 5);
    assertTrue(add.detail().contains("ret_i32=42"), add.json().toString());
  }

  @Test
  void aVictimReplaceThatFailsPutsTheVictimBack() throws Exception {
    loadOk("rb-victim", "a", "math_ops");
    loadOk("rb-victim", "b", "toggle");
    sim("rb-victim").admin("SIM_FAULT cut_after_bytes=120");
    Response r = client.load("rb-victim", "c", BuiltModules.wasmBytes("fft_bench"), "fft_bench.wasm", false, "a");
    assertFalse(r.ok());
    assertTrue(r.json().path("rolled_back").asBoolean(), r.json().toString());
    awaitViewEqualsBoard("rb-victim");
    assertEquals(Map.of("a", "LOADED", "b", "LOADED"), truth("rb-victim"), "both modules are there again");
  }

  @Test
  void rollbackCanBeTurnedOffAndAFailedRollbackSaysWhy() throws Exception {
    loadOk("rb-off", "m", "math_ops");
    sim("rb-off").admin("SIM_FAULT reboot_at_payload_byte=40");
    ObjectNode req = load("rb-off", "m", "uart_hello", true, null).json();
    req.put("rollback", false);
    Response off = client.send(req, BuiltModules.wasmBytes("uart_hello"));
    assertFalse(off.ok());
    assertNull(off.json().get("rolled_back"), off.json().toString());
    awaitViewEqualsBoard("rb-off");
    assertEquals(Map.of(), truth("rb-off"), "nothing was put back");

    // every payload corrupted: the replace fails BAD_CRC, and so does loading the old module again
    loadOk("rb-crc", "m", "math_ops");
    sim("rb-crc").admin("SIM_FAULT corrupt_rate=1.0");
    Response r = client.load("rb-crc", "m", BuiltModules.wasmBytes("uart_hello"), "uart_hello.wasm", true, null);
    assertFalse(r.ok());
    assertTrue(r.error().startsWith("LOAD_ERR code=BAD_CRC"), r.error());
    assertFalse(r.json().get("rolled_back").asBoolean());
    assertTrue(r.json().get("rollback_failed").asText().startsWith("loading m again failed: LOAD_ERR code=BAD_CRC"),
        r.json().toString());
    sim("rb-crc").admin("SIM_FAULT clear=1");
    awaitViewEqualsBoard("rb-crc");
  }
}
