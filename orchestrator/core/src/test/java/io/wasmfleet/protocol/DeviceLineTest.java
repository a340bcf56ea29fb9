package io.wasmfleet.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.protocol.DeviceLine.Console;
import io.wasmfleet.protocol.DeviceLine.DeviceError;
import io.wasmfleet.protocol.DeviceLine.Hello;
import io.wasmfleet.protocol.DeviceLine.LoadErr;
import io.wasmfleet.protocol.DeviceLine.LoadOk;
import io.wasmfleet.protocol.DeviceLine.LoadReady;
import io.wasmfleet.protocol.DeviceLine.Result;
import io.wasmfleet.protocol.DeviceLine.StartOk;
import io.wasmfleet.protocol.DeviceLine.StatusOk;
import io.wasmfleet.protocol.DeviceLine.StopOk;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Every device line of agent-wire-protocol-v1.md, read and written back. */
class DeviceLineTest {

  /** The fact sheet's example lines, with its placeholders filled in. */
  @ParameterizedTest
  @ValueSource(strings = {
      "HELLO device_id=nucleo_f446 rtos=Zephyr runtime=WAMR fw_version=1.0.0",
      "LOAD_READY module_id=math_ops size=1234 crc32=0a1b2c3d",
      "LOAD_OK",
      "LOAD_OK warn=VICTIM_IGNORED replace_victim=toggle2",
      "LOAD_ERR code=BUSY msg=\"module running\"",
      "LOAD_ERR code=NO_SLOT msg=\"MAX_MODULES reached\"",
      "LOAD_ERR code=FULL msg=\"NEED_VICTIM\"",
      "LOAD_ERR code=BAD_VICTIM msg=\"NOT_FOUND\"",
      "LOAD_ERR code=BAD_PARAMS",
      "LOAD_ERR code=NO_MEM",
      "LOAD_ERR code=TIMEOUT msg=\"binary payload not received\"",
      "LOAD_ERR code=BAD_CRC msg=\"expected=0a1b2c3d got=deadbeef\"",
      "LOAD_ERR code=LOAD_FAIL msg=\"WASM module load failed: magic header not detected\"",
      "LOAD_ERR code=INSTANTIATE_FAIL msg=\"allocate memory failed\"",
      "LOAD_ERR code=NO_EXEC_ENV msg=\"create_exec_env failed\"",
      "START_OK",
      "RESULT status=BAD_PARAMS msg=\"missing module_id\"",
      "RESULT status=NO_MODULE",
      "RESULT status=BUSY",
      "RESULT status=NO_MEM msg=\"free=12000 need>=16384 exec_env=no\"",
      "RESULT status=NO_ENTRYPOINT msg=\"expected app_main\"",
      "RESULT status=NO_ENTRYPOINT msg=\"args require app_main\"",
      "RESULT status=OK module_id=math_ops func=add ret_i32=25",
      "RESULT status=OK module_id=math_ops func=add",
      "RESULT status=EXCEPTION module_id=m func=f msg=\"Exception: unreachable\"",
      "RESULT status=STOPPED module_id=t func=toggle_forever msg=\"Exception: terminated by user\"",
      "RESULT status=STOPPED forced=1 module_id=t func=toggle_forever",
      "RESULT status=NO_FUNC",
      "RESULT status=NO_EXEC_ENV",
      "RESULT status=NO_EXEC_ENV msg=\"free=2048\"",
      "STOP_OK status=NO_JOB",
      "STOP_OK status=IDLE",
      "STOP_OK status=PENDING",
      "STATUS_OK modules=\"none\" low_stack=\"none\" wamr_total=102400 wamr_free=100352 wamr_used=2048 wamr_highmark=2048",
      "STATUS_OK modules=\"m:LOADED:wasm=345:stack_free=2896,t:RUNNING:wasm=88:stack_free=400\" low_stack=\"t\" wamr_total=221184 wamr_free=180000 wamr_used=41184 wamr_highmark=52000",
      "STATUS_OK modules=\"none\" low_stack=\"none\" wamr_heap=NA",
      "ERROR code=UNKNOWN_COMMAND",
      "ERROR code=WAMR_INIT_FAIL",
      "ERROR code=GPIO_INIT_FAIL",
      "ERROR code=WAMR_THREAD_ENV_INIT_FAIL",
      "LED ON (thread 0x20001234)",
  })
  void factSheetLinesFormatBackIdentically(String line) {
    DeviceLine parsed = DeviceLine.parse(line);
    assertEquals(line, parsed.format());
    assertEquals(parsed, DeviceLine.parse(parsed.format()));
  }

  @Test
  void helloNamesTheBoard() {
    Hello hello = (Hello) DeviceLine.parse(
        "HELLO device_id=nucleo_f746 rtos=Zephyr runtime=WAMR fw_version=1.0.0");
    assertEquals("nucleo_f746", hello.deviceId());
    assertEquals("Zephyr", hello.rtos());
    assertEquals("WAMR", hello.runtime());
    assertEquals("1.0.0", hello.fwVersion());
  }

  @Test
  void loadReadyCarriesSizeAndCrc() {
    LoadReady ready = (LoadReady) DeviceLine.parse("LOAD_READY module_id=m size=70000 crc32=FFFFFFFF");
    assertEquals("m", ready.moduleId());
    assertEquals(70000, ready.size());
    assertEquals(-1, ready.crc32());
    assertEquals("LOAD_READY module_id=m size=70000 crc32=ffffffff", ready.format());
  }

  @Test
  void loadOkWarnsWhenTheVictimWasIgnored() {
    LoadOk ok = (LoadOk) DeviceLine.parse("LOAD_OK warn=VICTIM_IGNORED replace_victim=toggle2");
    assertEquals(LoadOk.VICTIM_IGNORED, ok.warn());
    assertEquals("toggle2", ok.replaceVictim());
    LoadOk plain = (LoadOk) DeviceLine.parse("LOAD_OK");
    assertNull(plain.warn());
  }

  @Test
  void loadErrKeepsCodeAndMessage() {
    LoadErr err = (LoadErr) DeviceLine.parse("LOAD_ERR code=BAD_CRC msg=\"expected=0a1b2c3d got=deadbeef\"");
    assertEquals("BAD_CRC", err.code());
    assertEquals("expected=0a1b2c3d got=deadbeef", err.msg());
  }

  @Test
  void resultOfEveryStatus() {
    Result ok = (Result) DeviceLine.parse("RESULT status=OK module_id=math_ops func=add ret_i32=25");
    assertTrue(ok.isOk());
    assertEquals("math_ops", ok.moduleId());
    assertEquals("add", ok.func());
    assertEquals(25, ok.retI32());

    Result negative = (Result) DeviceLine.parse("RESULT status=OK module_id=m func=f ret_i32=4294967291");
    assertEquals(-5, negative.retI32(), "ret_i32 is the unsigned form of a signed result");
    assertEquals("RESULT status=OK module_id=m func=f ret_i32=4294967291", negative.format());

    Result forced = (Result) DeviceLine.parse("RESULT status=STOPPED forced=1 module_id=t func=toggle_forever");
    assertEquals(Result.STOPPED, forced.status());
    assertTrue(forced.forced());
    assertNull(forced.retI32());

    Result noFunc = (Result) DeviceLine.parse("RESULT status=NO_FUNC");
    assertNull(noFunc.moduleId(), "NO_FUNC carries no module_id in firmware 1.0.0");

    Result exception = (Result) DeviceLine.parse(
        "RESULT status=EXCEPTION module_id=m func=f msg=\"Exception: integer divide by zero\"");
    assertEquals("Exception: integer divide by zero", exception.msg());
    assertFalse(exception.isOk());
  }

  @Test
  void resultExtensionsAreReadAndKept() {
    String line = "RESULT status=OK module_id=t func=toggle_n ret_i32=100 elapsed_us=1234 toggles=100";
    Result r = (Result) DeviceLine.parse(line);
    assertEquals(1234, r.elapsedMicros().getAsLong());
    assertEquals(100, r.toggles().getAsLong());
    assertEquals(line, r.format());
  }

  @Test
  void stopOkStatus() {
    assertEquals(StopOk.PENDING, ((StopOk) DeviceLine.parse("STOP_OK status=PENDING")).status());
  }

  @Test
  void statusListsModulesAndPool() {
    StatusOk s = (StatusOk) DeviceLine.parse(
        "STATUS_OK modules=\"m:LOADED:wasm=345:stack_free=2896,t:RUNNING:wasm=88:stack_free=400\""
            + " low_stack=\"t\" wamr_total=221184 wamr_free=180000 wamr_used=41184 wamr_highmark=52000");
    assertEquals(2, s.modules().size());
    assertEquals(new StatusOk.ModuleEntry("m", "LOADED", 345, 2896), s.modules().get(0));
    assertTrue(s.module("t").orElseThrow().running());
    assertEquals(List.of("t"), s.lowStack());
    assertEquals(new StatusOk.PoolFigures(221184, 180000, 41184, 52000), s.pool());

    StatusOk empty = (StatusOk) DeviceLine.parse(
        "STATUS_OK modules=\"none\" low_stack=\"none\" wamr_heap=NA");
    assertTrue(empty.modules().isEmpty());
    assertTrue(empty.lowStack().isEmpty());
    assertNull(empty.pool(), "wamr_heap=NA means the allocator cannot report");
  }

  @Test
  void errorLine() {
    assertEquals("UNKNOWN_COMMAND", ((DeviceError) DeviceLine.parse("ERROR code=UNKNOWN_COMMAND")).code());
  }

  @Test
  void startOkAndLineEndings() {
    assertInstanceOf(StartOk.class, DeviceLine.parse("START_OK\r\n"));
    assertEquals("START_OK", DeviceLine.parse("START_OK\r").format());
  }

  @Test
  void unknownKeysOnKnownLinesAreKeptInOrder() {
    String line = "LOAD_OK crc_ok=1 chunk=\"a b, c\" took_ms=12";
    LoadOk ok = (LoadOk) DeviceLine.parse(line);
    assertEquals("a b, c", ok.extra().get("chunk").orElseThrow());
    assertEquals(line, ok.format());
  }

  @Test
  void quotedValuesMayHoldSpacesAndCommas() {
    Result r = (Result) DeviceLine.parse(
        "RESULT status=EXCEPTION module_id=m func=f msg=\"out of bounds, at 0x10 size=4 module_id=x\"");
    assertEquals("m", r.moduleId(), "a key inside a quoted value is not a key");
    assertEquals("out of bounds, at 0x10 size=4 module_id=x", r.msg());
  }

  /** Malformed lines are console output: the gateway logs them and carries on. */
  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "   ",
      "RESULT",
      "RESULT module_id=m",
      "RESULT status=OK ret_i32=abc",
      "RESULT status=OK ret_i32=99999999999",
      "LOAD_READY module_id=m size=12",
      "LOAD_READY module_id=m size=twelve crc32=00000000",
      "LOAD_READY module_id=m size=12 crc32=xyz",
      "LOAD_ERR msg=\"no code\"",
      "STATUS_OK modules=\"m:LOADED\" low_stack=\"none\" wamr_heap=NA",
      "STATUS_OK modules=\"none\" low_stack=\"none\" wamr_total=1",
      "STATUS_OK low_stack=\"none\" wamr_heap=NA",
      "RESULT status=OK msg=\"never closed",
      "RESULT status=OK msg=\"glued\"on",
      "STOP_OK",
      "ERROR",
      "result status=OK",
      "\u0000\u00ff\u0001binary junk",
      "[00:00:01.000,000] <inf> main: LED ON",
      "HELLO",
  })
  void malformedLinesAreConsoleText(String line) {
    DeviceLine parsed = DeviceLine.parse(line);
    assertInstanceOf(Console.class, parsed);
    assertEquals(line, parsed.format());
  }

  @Test
  void randomBytesNeverThrow() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[random.nextInt(80)];
      random.nextBytes(bytes);
      String prefix = List.of("", "RESULT ", "STATUS_OK ", "LOAD_OK ", "LOAD_READY ").get(random.nextInt(5));
      String line = prefix + new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
      DeviceLine parsed = DeviceLine.parse(line);
      assertEquals(parsed, DeviceLine.parse(parsed.format()), () -> "unstable for " + line);
    }
  }

  @Test
  void valuesFromTheBoardSideCannotBreakTheLine() {
    Result r = new Result("EXCEPTION", false, "m", "f", null, "bad \"quote\"\nnext line",
        WireParams.EMPTY);
    assertEquals("RESULT status=EXCEPTION module_id=m func=f msg=\"bad 'quote' next line\"", r.format());
    assertEquals(r.format(), DeviceLine.parse(r.format()).format());
  }
}
