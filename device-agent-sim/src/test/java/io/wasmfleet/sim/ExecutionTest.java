package io.wasmfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.protocol.DeviceLine.Hello;
import io.wasmfleet.protocol.DeviceLine.Result;
import io.wasmfleet.protocol.DeviceLine.StatusOk;
import io.wasmfleet.wasm.BuiltModules;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Modules really run: the FFT gives the native build's checksum in both Chicory modes. */
class ExecutionTest {

  private static WireClient connect(SimBoards.Started b) throws Exception {
    WireClient c = b.connect();
    c.next(Hello.class);
    return c;
  }

  /** Runs build/wasm/fft_bench_native and returns the checksum it prints. */
  static long nativeChecksum(int iterations) throws Exception {
    Path exe = BuiltModules.directory().resolve("fft_bench_native");
    assertTrue(Files.isExecutable(exe), exe + " is built by wasm/build.sh");
    Process p = new ProcessBuilder(exe.toString(), Integer.toString(iterations)).redirectErrorStream(true).start();
    String out;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
      out = r.readLine();
    }
    assertEquals(0, p.waitFor());
    Matcher m = Pattern.compile("checksum=(\\d+)").matcher(out);
    assertTrue(m.find(), out);
    return Long.parseLong(m.group(1));
  }

  private static long fftChecksumOnBoard(String loadExtra) throws Exception {
    try (SimBoards.Started b = SimBoards.start("nucleo_f746zg", Map.of()); WireClient c = connect(b)) {
      assertEquals("LOAD_OK", c.load("fft", BuiltModules.wasmBytes("fft_bench"), loadExtra).format());
      c.send("START module_id=fft args=\"iterations=3\"");
      assertEquals("START_OK", c.nextText());
      Result r = c.next(Result.class);
      assertEquals("OK", r.status(), r.format());
      assertTrue(r.elapsedMicros().isPresent());
      return Integer.toUnsignedLong(r.retI32());
    }
  }

  @Test
  void fftInTheInterpreterMatchesNativeC() throws Exception {
    assertEquals(nativeChecksum(3), fftChecksumOnBoard(""));
  }

  @Test
  void fftCompiledToJvmBytecodeMatchesNativeC() throws Exception {
    assertEquals(nativeChecksum(3), fftChecksumOnBoard("sim_exec=compiled"));
  }

  @Test
  void statusSaysHowEachModuleExecutes() throws Exception {
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of()); WireClient c = connect(b)) {
      c.loadOk("i", BuiltModules.wasmBytes("math_ops"));
      assertEquals("LOAD_OK", c.load("a", WireConformanceSuite.aot("add-cortex-m4.aot")).format());
      StatusOk s = c.status();
      assertEquals("i:interp,a:aot-native", s.extra().get("sim_exec").orElseThrow());
    }
  }

  @Test
  void nativeAotCodeIsNeverPretendedToRun() throws Exception {
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of()); WireClient c = connect(b)) {
      assertEquals("LOAD_OK", c.load("a", WireConformanceSuite.aot("add-cortex-m4.aot")).format());
      c.send("START module_id=a func=add args=\"a=1,b=2\"");
      assertEquals("START_OK", c.nextText());
      assertEquals("RESULT status=EXCEPTION module_id=a func=add"
          + " msg=\"simulator cannot execute native thumbv7em AOT code\"", c.nextText());
    }
  }

  @Test
  void compiledModulesStopCooperativelyToo() throws Exception {
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of("execution", "compiled"));
        WireClient c = connect(b)) {
      c.loadOk("t", BuiltModules.wasmBytes("toggle_forever"));
      assertEquals("t:compiled", c.status().extra().get("sim_exec").orElseThrow());
      c.send("START module_id=t func=toggle_forever");
      assertEquals("START_OK", c.nextText());
      SimBoards.awaitToggles(c, "t", 1000);
      c.send("STOP module_id=t");
      assertEquals("STOP_OK status=PENDING", c.nextText());
      Result r = c.next(Result.class);
      assertEquals("STOPPED", r.status());
      assertEquals("Exception: terminated by user", r.msg());
      assertTrue(r.toggles().getAsLong() >= 1000);
    }
  }

  @Test
  void withExtensionsOffTheLinesAreFirmware100s() throws Exception {
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of("extensions", "off"));
        WireClient c = b.connect()) {
      assertEquals("HELLO device_id=board-under-test rtos=Zephyr runtime=WAMR fw_version=1.0.0", c.nextLine());
      c.loadOk("m", BuiltModules.wasmBytes("math_ops"));
      c.send("START module_id=m func=add args=\"a=10,b=15\"");
      assertEquals("START_OK", c.nextText());
      assertEquals("RESULT status=OK module_id=m func=add ret_i32=25", c.nextText());
      c.send("START module_id=m func=nope");
      assertEquals("START_OK", c.nextText());
      assertEquals("RESULT status=NO_FUNC", c.nextText());
      c.send("START module_id=ghost");
      assertEquals("RESULT status=NO_MODULE", c.nextText());
      assertTrue(c.status().extra().isEmpty());
    }
  }

  @Test
  void togglesAreCountedPerJob() throws Exception {
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of()); WireClient c = connect(b)) {
      c.loadOk("t", BuiltModules.wasmBytes("toggle_forever"));
      for (int round = 0; round < 2; round++) {
        c.send("START module_id=t func=toggle_n args=\"n=1000\"");
        assertEquals("START_OK", c.nextText());
        Result r = c.next(Result.class);
        assertEquals(1000, r.retI32());
        assertEquals(1000, r.toggles().getAsLong(), "each RESULT counts its own job's toggles");
      }
    }
  }
}
