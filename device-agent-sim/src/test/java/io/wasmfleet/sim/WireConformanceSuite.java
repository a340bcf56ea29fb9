package io.wasmfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.protocol.Crc32;
import io.wasmfleet.protocol.DeviceLine;
import io.wasmfleet.protocol.DeviceLine.Hello;
import io.wasmfleet.protocol.DeviceLine.LoadErr;
import io.wasmfleet.protocol.DeviceLine.Result;
import io.wasmfleet.protocol.DeviceLine.StatusOk;
import io.wasmfleet.wasm.BuiltModules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Agent wire protocol v1, checked only through the wire: every command and error code of the
 * fact sheet, replace semantics, interleaved RESULTs, soft and forced stops. Subclasses say
 * how to boot a fresh board for each test, so the same suite can drive the simulator today
 * and the C firmware (over a serial port) later. Expectations are the exact lines a board
 * prints, except where a value (timings, pool figures) depends on the board.
 */
public abstract class WireConformanceSuite {

  /** A freshly booted board for one test. */
  protected interface BoardUnderTest extends AutoCloseable {
    WireClient connect() throws Exception;

    String deviceId();
  }

  /**
   * Boots a board of {@code profile}; {@code overrides} are profile settings a simulated board
   * takes (e.g. a short {@code load-timeout}); a real board may ignore them.
   */
  protected abstract BoardUnderTest boot(String profile, Map<String, String> overrides) throws Exception;

  /**
   * Returns once {@code moduleId} has toggled the LED at least once (so a module calling
   * {@code led_toggle} is inside its sleep). A simulated board is asked with SIM_INFO; a real
   * one would be watched on PA5.
   */
  protected abstract void awaitLedToggled(WireClient wire, String moduleId) throws Exception;

  /**
   * What the board's HELLO says it runs: rtos, runtime, fw_version. Firmware 1.0.0 (and the
   * simulator, which answers like it) by default.
   */
  protected String[] expectedFirmware() {
    return new String[] {"Zephyr", "WAMR", "1.0.0"};
  }

  /** The answer to a line over 255 bytes: 1.0.0 cuts it and runs the cut (our firmware refuses it whole). */
  protected String overLongLineReply() {
    return "ERROR code=UNKNOWN_COMMAND";
  }

  /** False for a board whose VM cannot load WAMR AOT files (agent-host's test double). */
  protected boolean runsAot() {
    return true;
  }

  /**
   * True when a native that sleeps (led_toggle) wakes on STOP, so a STOP ends it cooperatively
   * (our firmware); 1.0.0 sleeps out of a stop's reach and is forced after the grace time.
   */
  protected boolean nativesWakeOnStop() {
    return false;
  }

  protected static final String F446 = "nucleo_f446re";
  protected static final String F746 = "nucleo_f746zg";

  static byte[] module(String name) {
    return BuiltModules.wasmBytes(name);
  }

  static byte[] aot(String file) throws Exception {
    Path p = BuiltModules.repositoryRoot().resolve("testdata/aot").resolve(file);
    return Files.readAllBytes(p);
  }

  /** A board and a first connection, its HELLO already read. */
  protected final class Session implements AutoCloseable {
    final BoardUnderTest board;
    final WireClient wire;
    final Hello hello;

    Session(String profile, Map<String, String> overrides) throws Exception {
      board = boot(profile, overrides);
      wire = board.connect();
      hello = wire.next(Hello.class);
    }

    @Override
    public void close() throws Exception {
      wire.close();
      board.close();
    }
  }

  protected Session session() throws Exception {
    return new Session(F446, Map.of());
  }

  protected Session session(String profile, Map<String, String> overrides) throws Exception {
    return new Session(profile, overrides);
  }

  // ---- boot, STATUS ---------------------------------------------------------------------

  @Test
  void helloOnBootNamesTheBoardAndTheFirmware() throws Exception {
    try (Session s = session()) {
      assertEquals(s.board.deviceId(), s.hello.deviceId());
      assertEquals(expectedFirmware()[0], s.hello.rtos());
      assertEquals(expectedFirmware()[1], s.hello.runtime());
      assertEquals(expectedFirmware()[2], s.hello.fwVersion());
    }
  }

  @Test
  void emptyBoardStatusShowsThePool() throws Exception {
    try (Session s = session()) {
      StatusOk status = s.wire.status();
      assertTrue(status.modules().isEmpty());
      assertTrue(status.lowStack().isEmpty());
      // WAMR's pool allocator keeps a few hundred bytes of the pool for itself (102,008 of 102,400)
      assertTrue(status.pool().total() <= 100 * 1024 && status.pool().total() > 99 * 1024,
          "NUCLEO-F446RE has a 100 KiB WAMR pool: " + status.pool().total());
      assertEquals(status.pool().total(), status.pool().free() + status.pool().used());
      assertTrue(status.pool().highmark() >= status.pool().used());
    }
    try (Session s = session(F746, Map.of())) {
      long total = s.wire.status().pool().total();
      assertTrue(total <= 216 * 1024 && total > 215 * 1024, "NUCLEO-F746ZG has a 216 KiB WAMR pool: " + total);
    }
  }

  // ---- LOAD and START -------------------------------------------------------------------

  @Test
  void loadThenAddGivesTwentyFive() throws Exception {
    try (Session s = session()) {
      byte[] math = module("math_ops");
      s.wire.send("LOAD module_id=math_ops size=" + math.length + " crc32=" + Crc32.hex(Crc32.of(math)));
      assertEquals("LOAD_READY module_id=math_ops size=" + math.length + " crc32=" + Crc32.hex(Crc32.of(math)),
          s.wire.nextText());
      s.wire.sendBytes(math);
      assertEquals("LOAD_OK", s.wire.nextText());

      s.wire.send("START module_id=math_ops func=add args=\"a=10,b=15\"");
      assertEquals("START_OK", s.wire.nextText());
      Result r = s.wire.next(Result.class);
      assertEquals("OK", r.status());
      assertEquals("math_ops", r.moduleId());
      assertEquals("add", r.func());
      assertEquals(25, r.retI32());

      StatusOk status = s.wire.status();
      assertEquals(1, status.modules().size());
      assertEquals("math_ops", status.modules().get(0).id());
      assertEquals("LOADED", status.modules().get(0).state());
      assertEquals(math.length, status.modules().get(0).wasmBytes());
    }
  }

  @Test
  void negativeResultsAreWrittenUnsigned() throws Exception {
    try (Session s = session()) {
      s.wire.loadOk("m", module("math_ops"));
      s.wire.send("START module_id=m func=add args=\"a=-10,b=5\"");
      assertEquals("START_OK", s.wire.nextText());
      assertTrue(s.wire.nextText().startsWith("RESULT status=OK module_id=m func=add ret_i32=4294967291"));
    }
  }

  @Test
  void startWithoutFuncRunsAppMain() throws Exception {
    try (Session s = session()) {
      s.wire.loadOk("m", module("math_ops"));
      s.wire.send("START module_id=m args=\"n=10\"");
      assertEquals("START_OK", s.wire.nextText());
      Result r = s.wire.next(Result.class);
      assertEquals("app_main", r.func());
      assertEquals(55, r.retI32(), "app_main(10) = 1 + ... + 10");

      s.wire.loadOk("t", module("toggle"));
      s.wire.send("START module_id=t");
      assertEquals("RESULT status=NO_ENTRYPOINT module_id=t msg=\"expected app_main\"", s.wire.nextText());
      s.wire.send("START module_id=t args=\"a=1\"");
      assertEquals("RESULT status=NO_ENTRYPOINT module_id=t msg=\"args require app_main\"", s.wire.nextText());
    }
  }

  @Test
  void startRefusals() throws Exception {
    try (Session s = session()) {
      s.wire.send("START func=add");
      assertEquals("RESULT status=BAD_PARAMS msg=\"missing module_id\"", s.wire.nextText());
      s.wire.send("START module_id=nothing func=add");
      assertEquals("RESULT status=NO_MODULE module_id=nothing", s.wire.nextText());

      s.wire.loadOk("t", module("toggle_forever"));
      s.wire.send("START module_id=t func=toggle_forever");
      assertEquals("START_OK", s.wire.nextText());
      s.wire.send("START module_id=t func=toggle_n args=\"n=1\"");
      assertEquals("RESULT status=BUSY module_id=t", s.wire.nextText());
      s.wire.send("STOP module_id=t");
      assertEquals("STOP_OK status=PENDING", s.wire.nextText());
      assertEquals("STOPPED", s.wire.next(Result.class).status());

      s.wire.send("START module_id=t func=no_such_export");
      assertEquals("START_OK", s.wire.nextText());
      assertEquals("RESULT status=NO_FUNC module_id=t", s.wire.nextText(),
          "NO_FUNC comes after START_OK; ours carries module_id");

      s.wire.send("START module_id=t func=toggle_n args=\"a=1,b=2,c=3,d=4,e=5\"");
      Result tooMany = s.wire.next(Result.class);
      assertEquals("BAD_PARAMS", tooMany.status());
      assertTrue(tooMany.msg().contains("at most 4"), tooMany.msg());
    }
  }

  @Test
  void loadParameterErrors() throws Exception {
    try (Session s = session()) {
      s.wire.send("LOAD module_id=m size=10");
      assertEquals("BAD_PARAMS", s.wire.next(LoadErr.class).code());
      s.wire.send("LOAD size=10 crc32=00000000");
      assertEquals("BAD_PARAMS", s.wire.next(LoadErr.class).code());
      s.wire.send("LOAD module_id=m size=0 crc32=00000000");
      assertEquals("BAD_PARAMS", s.wire.next(LoadErr.class).code());
      assertTrue(s.wire.status().modules().isEmpty());
    }
  }

  @Test
  void badCrcLeavesTheSlotEmpty() throws Exception {
    try (Session s = session()) {
      byte[] math = module("math_ops");
      s.wire.send("LOAD module_id=m size=" + math.length + " crc32=0badc0de");
      assertTrue(s.wire.next() instanceof DeviceLine.LoadReady);
      s.wire.sendBytes(math);
      assertEquals("LOAD_ERR code=BAD_CRC msg=\"expected=0badc0de got=" + Crc32.hex(Crc32.of(math)) + "\"",
          s.wire.nextText());
      assertTrue(s.wire.status().modules().isEmpty());
    }
  }

  @Test
  void aPayloadThatNeverComesTimesOut() throws Exception {
    try (Session s = session(F446, Map.of("load-timeout", "300ms"))) {
      byte[] math = module("math_ops");
      s.wire.send("LOAD module_id=m size=" + math.length + " crc32=" + Crc32.hex(Crc32.of(math)));
      assertTrue(s.wire.next() instanceof DeviceLine.LoadReady);
      s.wire.sendBytes(Arrays.copyOf(math, math.length / 2));
      assertEquals("LOAD_ERR code=TIMEOUT msg=\"binary payload not received\"", s.wire.nextText());
      StatusOk status = s.wire.status();
      assertTrue(status.modules().isEmpty());
      assertEquals(status.pool().total() - status.pool().free(), status.pool().used(),
          "the payload buffer went back to the pool");
    }
  }

  @Test
  void payloadsThatAreNotModulesFailToLoad() throws Exception {
    try (Session s = session()) {
      byte[] source = "int main(void) { return 0; }\n".getBytes(StandardCharsets.US_ASCII);
      assertEquals("LOAD_ERR code=LOAD_FAIL msg=\"WASM module load failed: magic header not detected\"",
          s.wire.load("c", source).format());
      byte[] truncated = Arrays.copyOf(module("math_ops"), 40);
      LoadErr cut = (LoadErr) s.wire.load("cut", truncated);
      assertEquals("LOAD_FAIL", cut.code());
      assertTrue(cut.msg().startsWith("WASM module load failed: "), cut.msg());
      assertTrue(s.wire.status().modules().isEmpty());
    }
  }

  @Test
  void aotFilesAreCheckedForTheBoardsCpu() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(runsAot(), "this board's VM cannot load WAMR AOT files");
    try (Session s = session()) {
      assertEquals("LOAD_ERR code=LOAD_FAIL msg=\"AOT module load failed: invalid target bit width, expected 32-bit but got 64-bit\"",
          s.wire.load("x86", aot("add-x86_64.aot")).format());
      assertEquals("LOAD_OK", s.wire.load("add", aot("add-cortex-m4.aot")).format());
      assertEquals(1, s.wire.status().modules().size());
    }
  }

  // ---- replace semantics ----------------------------------------------------------------

  @Test
  void reloadingAnIdReplacesItInPlace() throws Exception {
    try (Session s = session()) {
      s.wire.loadOk("m", module("math_ops"));
      s.wire.loadOk("other", module("toggle"));
      byte[] hello = module("uart_hello");
      s.wire.loadOk("m", hello);
      StatusOk status = s.wire.status();
      assertEquals(2, status.modules().size());
      assertEquals(hello.length, status.module("m").orElseThrow().wasmBytes());
      assertTrue(status.module("other").isPresent());
    }
  }

  @Test
  void aVictimGivenForAnInPlaceReloadIsIgnored() throws Exception {
    try (Session s = session()) {
      s.wire.loadOk("m", module("math_ops"));
      s.wire.loadOk("keep", module("toggle"));
      assertEquals("LOAD_OK warn=VICTIM_IGNORED replace_victim=keep",
          s.wire.load("m", module("math_ops"), "replace=1 replace_victim=keep").format());
      assertTrue(s.wire.status().module("keep").isPresent());
    }
  }

  @Test
  void aRunningModuleIsBusyUnlessReplaced() throws Exception {
    try (Session s = session()) {
      s.wire.loadOk("t", module("toggle_forever"));
      s.wire.send("START module_id=t func=toggle_forever");
      assertEquals("START_OK", s.wire.nextText());
      byte[] math = module("math_ops");
      assertEquals("LOAD_ERR code=BUSY msg=\"module running\"", s.wire.load("t", math).format());

      s.wire.send("LOAD module_id=t size=" + math.length + " crc32=" + Crc32.hex(Crc32.of(math)) + " replace=1");
      Result aborted = s.wire.next(Result.class);
      assertEquals("STOPPED", aborted.status());
      assertTrue(aborted.forced());
      assertEquals("t", aborted.moduleId());
      assertEquals("toggle_forever", aborted.func());
      assertTrue(s.wire.next() instanceof DeviceLine.LoadReady);
      s.wire.sendBytes(math);
      assertEquals("LOAD_OK", s.wire.nextText());
      assertEquals("LOADED", s.wire.status().module("t").orElseThrow().state());
    }
  }

  @Test
  void fullSlotsNeedAKnownVictim() throws Exception {
    try (Session s = session()) {
      s.wire.loadOk("a", module("math_ops"));
      s.wire.loadOk("b", module("toggle"));
      byte[] c = module("uart_hello");
      assertEquals("LOAD_ERR code=NO_SLOT msg=\"MAX_MODULES reached\"", s.wire.load("c", c).format());
      assertEquals("LOAD_ERR code=FULL msg=\"NEED_VICTIM\"", s.wire.load("c", c, "replace=1").format());
      assertEquals("LOAD_ERR code=BAD_VICTIM msg=\"NOT_FOUND\"",
          s.wire.load("c", c, "replace=1 replace_victim=zz").format());
      assertEquals(List.of("a", "b"), ids(s.wire.status()), "refusals leave both modules in place");

      assertEquals("LOAD_OK", s.wire.load("c", c, "replace=1 replace_victim=a").format());
      assertEquals(List.of("c", "b"), ids(s.wire.status()), "c took a's slot");
    }
  }

  @Test
  void aRunningVictimIsForceStoppedFirst() throws Exception {
    try (Session s = session()) {
      s.wire.loadOk("a", module("toggle_forever"));
      s.wire.loadOk("b", module("math_ops"));
      s.wire.send("START module_id=a func=toggle_forever");
      assertEquals("START_OK", s.wire.nextText());
      byte[] c = module("uart_hello");
      s.wire.send("LOAD module_id=c size=" + c.length + " crc32=" + Crc32.hex(Crc32.of(c))
          + " replace=1 replace_victim=a");
      Result aborted = s.wire.next(Result.class);
      assertTrue(aborted.forced());
      assertEquals("a", aborted.moduleId());
      assertTrue(s.wire.next() instanceof DeviceLine.LoadReady);
      s.wire.sendBytes(c);
      assertEquals("LOAD_OK", s.wire.nextText());
      assertEquals(List.of("c", "b"), ids(s.wire.status()));
    }
  }

  static List<String> ids(StatusOk status) {
    return status.modules().stream().map(StatusOk.ModuleEntry::id).toList();
  }

  // ---- two slots, STOP ------------------------------------------------------------------

  @Test
  void twoSlotsRunAtOnceAndTheirResultsInterleave() throws Exception {
    try (Session s = session()) {
      s.wire.loadOk("t", module("toggle_forever"));
      s.wire.loadOk("m", module("math_ops"));
      s.wire.send("START module_id=t func=toggle_forever");
      assertEquals("START_OK", s.wire.nextText());
      s.wire.send("START module_id=m func=sum_to_n args=\"n=100\"");
      assertEquals("START_OK", s.wire.nextText());
      Result m = s.wire.next(Result.class);
      assertEquals("m", m.moduleId());
      assertEquals(5050, m.retI32());
      StatusOk status = s.wire.status();
      assertEquals("RUNNING", status.module("t").orElseThrow().state(), "t still runs while m answered");
      assertEquals("LOADED", status.module("m").orElseThrow().state());
      s.wire.send("STOP module_id=t");
      assertEquals("STOP_OK status=PENDING", s.wire.nextText());
      assertEquals("t", s.wire.next(Result.class).moduleId());
    }
  }

  @Test
  void stopEndsAJobCooperatively() throws Exception {
    try (Session s = session()) {
      s.wire.loadOk("t", module("toggle_forever"));
      s.wire.send("START module_id=t func=toggle_forever");
      assertEquals("START_OK", s.wire.nextText());
      assertEquals("RUNNING", s.wire.status().module("t").orElseThrow().state());
      s.wire.send("STOP module_id=t");
      assertEquals("STOP_OK status=PENDING", s.wire.nextText());
      Result r = s.wire.next(Result.class);
      assertEquals("STOPPED", r.status());
      assertFalse(r.forced());
      assertEquals("t", r.moduleId());
      assertEquals("toggle_forever", r.func());
      assertEquals("Exception: terminated by user", r.msg());

      s.wire.send("START module_id=t func=toggle_n args=\"n=100\"");
      assertEquals("START_OK", s.wire.nextText());
      Result again = s.wire.next(Result.class);
      assertEquals(100, again.retI32(), "the module stays loaded and runs again");
    }
  }

  @Test
  void stopEscalatesToAForcedStop() throws Exception {
    try (Session s = session()) {
      s.wire.loadOk("b", module("blink"));
      s.wire.send("START module_id=b func=blink args=\"ms=60000\"");
      assertEquals("START_OK", s.wire.nextText());
      awaitLedToggled(s.wire, "b");
      s.wire.send("STOP module_id=b");
      assertEquals("STOP_OK status=PENDING", s.wire.nextText());
      Result r = s.wire.next(Result.class);
      assertEquals("STOPPED", r.status());
      assertEquals("b", r.moduleId());
      assertEquals("blink", r.func());
      if (nativesWakeOnStop()) {
        assertFalse(r.forced(), "led_toggle wakes on STOP: the stop is cooperative, at once");
        assertEquals("Exception: terminated by user", r.msg());
      } else {
        assertTrue(r.forced(), "a module asleep in led_toggle cannot stop cooperatively");
        assertNull(r.msg());
      }
      assertEquals("LOADED", s.wire.status().module("b").orElseThrow().state(), "it stays loaded");

      s.wire.send("START module_id=b func=blink args=\"ms=10\"");
      assertEquals("START_OK", s.wire.nextText(), "and starts again after re-instantiation");
      s.wire.send("STOP module_id=b");
      assertEquals("STOP_OK status=PENDING", s.wire.nextText());
      Result soft = s.wire.next(Result.class);
      assertFalse(soft.forced(), "a short sleep ends in time for a cooperative stop");
    }
  }

  @Test
  void stopReplies() throws Exception {
    try (Session s = session()) {
      s.wire.send("STOP");
      assertEquals("STOP_OK status=NO_JOB", s.wire.nextText());
      s.wire.send("STOP module_id=ghost");
      assertEquals("STOP_OK status=IDLE", s.wire.nextText());
      s.wire.loadOk("m", module("math_ops"));
      s.wire.send("STOP module_id=m");
      assertEquals("STOP_OK status=IDLE", s.wire.nextText());
    }
  }

  // ---- what modules do ------------------------------------------------------------------

  @Test
  void moduleOutputComesBeforeItsResult() throws Exception {
    try (Session s = session()) {
      s.wire.loadOk("h", module("uart_hello"));
      s.wire.send("START module_id=h func=hello args=\"n=3\"");
      assertEquals("START_OK", s.wire.nextText());
      assertEquals("hello from wasm 1/3", s.wire.nextLine());
      assertEquals("hello from wasm 2/3", s.wire.nextLine());
      assertEquals("hello from wasm 3/3", s.wire.nextLine());
      Result r = s.wire.next(Result.class);
      assertEquals(3, r.retI32());
    }
  }

  @Test
  void trapsAreExceptionsInWamrsWords() throws Exception {
    try (Session s = session()) {
      s.wire.loadOk("x", module("traps"));
      assertEquals("Exception: integer divide by zero", exception(s, "div", "a=1,b=0"));
      assertEquals("Exception: unreachable", exception(s, "crash", ""));
      assertEquals("Exception: out of bounds memory access", exception(s, "poke", "addr=70000"));
      assertEquals("Exception: failed to call unlinked import function (env, not_in_firmware)",
          exception(s, "call_missing", ""));
      assertEquals("Exception: wasm operand stack overflow", exception(s, "recurse", "n=0"));
      s.wire.send("START module_id=x func=div args=\"a=7,b=2\"");
      assertEquals("START_OK", s.wire.nextText());
      assertEquals(3, s.wire.next(Result.class).retI32(), "the module still works after its traps");
    }
  }

  private static String exception(Session s, String func, String args) throws Exception {
    s.wire.send("START module_id=x func=" + func + (args.isEmpty() ? "" : " args=\"" + args + "\""));
    assertEquals("START_OK", s.wire.nextText());
    Result r = s.wire.next(Result.class);
    assertEquals("EXCEPTION", r.status(), r.format());
    assertEquals("x", r.moduleId());
    assertEquals(func, r.func());
    return r.msg();
  }

  // ---- the wire itself ------------------------------------------------------------------

  @Test
  void unknownCommandsAndJunkGetOneErrorEach() throws Exception {
    try (Session s = session()) {
      s.wire.send("REBOOT now=1");
      assertEquals("ERROR code=UNKNOWN_COMMAND", s.wire.nextText());
      s.wire.sendBytes(new byte[] {0x00, (byte) 0xff, 0x13, 'z', '\n'});
      assertEquals("ERROR code=UNKNOWN_COMMAND", s.wire.nextText());
      s.wire.send("X".repeat(300));
      assertEquals(overLongLineReply(), s.wire.nextText(), "an over-long line is one line, not split");
      s.wire.send("status");
      assertEquals("ERROR code=UNKNOWN_COMMAND", s.wire.nextText(), "commands are upper case");
      s.wire.send("");
      s.wire.send("STATUS");
      assertTrue(s.wire.nextText().startsWith("STATUS_OK "), "an empty line is ignored");
    }
  }

  @Test
  void crLfAndCrEndLinesToo() throws Exception {
    try (Session s = session()) {
      s.wire.sendBytes("STATUS\r\nSTATUS\r".getBytes(StandardCharsets.US_ASCII));
      assertTrue(s.wire.nextText().startsWith("STATUS_OK "));
      assertTrue(s.wire.nextText().startsWith("STATUS_OK "));
    }
  }

  @Test
  void aConnectionIsOnlyAWire() throws Exception {
    try (Session s = session()) {
      s.wire.loadOk("t", module("toggle_forever"));
      s.wire.send("START module_id=t func=toggle_forever");
      assertEquals("START_OK", s.wire.nextText());
      s.wire.close();

      try (WireClient again = s.board.connect()) {
        again.send("STATUS");
        StatusOk status = again.next(StatusOk.class);
        assertEquals("RUNNING", status.module("t").orElseThrow().state(),
            "no HELLO on reconnect, and the job kept running");
        again.send("STOP module_id=t");
        assertEquals("STOP_OK status=PENDING", again.nextText());
        assertEquals("t", again.next(Result.class).moduleId());
      }
    }
  }
}
