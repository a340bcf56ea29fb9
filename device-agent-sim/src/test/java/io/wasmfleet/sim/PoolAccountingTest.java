package io.wasmfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.protocol.DeviceLine;
import io.wasmfleet.protocol.DeviceLine.Hello;
import io.wasmfleet.protocol.DeviceLine.LoadErr;
import io.wasmfleet.protocol.DeviceLine.Result;
import io.wasmfleet.protocol.DeviceLine.StatusOk;
import io.wasmfleet.sim.board.WamrPool;
import io.wasmfleet.wasm.BuiltModules;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** STATUS's pool figures move with what is loaded, and NO_MEM comes exactly at exhaustion. */
class PoolAccountingTest {

  private static WireClient connect(SimBoards.Started b) throws Exception {
    WireClient c = b.connect();
    c.next(Hello.class);
    return c;
  }

  @Test
  void figuresFollowLoadsAndTheHighMarkIsTrue() throws Exception {
    try (SimBoards.Started b = SimBoards.start("nucleo_f746zg", Map.of()); WireClient c = connect(b)) {
      StatusOk empty = c.status();
      c.loadOk("m", BuiltModules.wasmBytes("math_ops"));
      StatusOk one = c.status();
      assertTrue(one.pool().used() > empty.pool().used(), "loading takes pool memory");
      assertEquals(one.pool().total(), one.pool().free() + one.pool().used());

      c.loadOk("f", BuiltModules.wasmBytes("fft_bench"));
      StatusOk two = c.status();
      long fftUse = two.pool().used() - one.pool().used();
      assertTrue(fftUse > 37888, "the FFT's instance holds its 37 KiB linear memory: " + fftUse);

      c.loadOk("f", BuiltModules.wasmBytes("math_ops"));
      StatusOk replaced = c.status();
      assertEquals(2 * (one.pool().used() - empty.pool().used()) + empty.pool().used(), replaced.pool().used(),
          "replacing the FFT by math_ops frees the FFT's memory exactly");
      assertEquals(two.pool().used(), replaced.pool().highmark(), "the high-water mark remembers the FFT");
    }
  }

  @Test
  void noMemComesExactlyWhenThePayloadBufferDoesNotFit() throws Exception {
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of("load-timeout", "200ms"));
        WireClient c = connect(b)) {
      StatusOk s = c.status();
      long free = 1000;
      c.send("SIM_FAULT pool_shrink=" + (s.pool().total() - s.pool().used() - free));
      c.nextLine();
      assertEquals(free, c.status().pool().free());
      long fits = free - 8;                 // cost = size rounded to 8 + an 8-byte header
      assertEquals(free, WamrPool.cost(fits));
      c.send("LOAD module_id=m size=" + (fits + 1) + " crc32=00000000");
      LoadErr err = c.next(LoadErr.class);
      assertEquals("NO_MEM", err.code());
      assertEquals("payload free=1000 need=1008", err.msg());
      c.send("LOAD module_id=m size=" + fits + " crc32=00000000");
      assertTrue(c.next() instanceof DeviceLine.LoadReady, "one byte less fits");
      assertEquals("TIMEOUT", c.next(LoadErr.class).code());
    }
  }

  @Test
  void twoFftsFitOnTheF746ButNotOnTheF446() throws Exception {
    byte[] fft = BuiltModules.wasmBytes("fft_bench");
    try (SimBoards.Started b = SimBoards.start("nucleo_f746zg", Map.of()); WireClient c = connect(b)) {
      c.loadOk("f1", fft);
      c.loadOk("f2", fft);
    }
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of()); WireClient c = connect(b)) {
      c.loadOk("f1", fft);
      LoadErr err = (LoadErr) c.load("f2", fft);
      assertTrue(err.msg() != null && (err.code().equals("NO_MEM") || err.msg().contains("allocate memory failed")),
          err.format());
      StatusOk s = c.status();
      assertEquals(1, s.modules().size(), "the failed load left its slot empty");
      assertEquals(s.pool().total(), s.pool().free() + s.pool().used());
    }
  }

  @Test
  void startRefusesWhenThePoolIsNearlyFull() throws Exception {
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of()); WireClient c = connect(b)) {
      c.loadOk("m", BuiltModules.wasmBytes("math_ops"));
      StatusOk s = c.status();
      c.send("SIM_FAULT pool_shrink=" + (s.pool().total() - s.pool().used() - 4000));
      c.nextLine();
      c.send("START module_id=m func=add args=\"a=1,b=2\"");
      assertEquals("RESULT status=NO_MEM module_id=m msg=\"free=4000 need>=4096 exec_env=yes\"", c.nextText());
      c.send("SIM_FAULT pool_shrink=0");
      c.nextLine();
      c.send("START module_id=m func=add args=\"a=1,b=2\"");
      assertEquals("START_OK", c.nextText());
      assertEquals(3, c.next(Result.class).retI32());
    }
  }

  @Test
  void afterAForcedStopTheExecEnvIsGoneAndStartNeedsSixteenKiB() throws Exception {
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of()); WireClient c = connect(b)) {
      c.loadOk("b", BuiltModules.wasmBytes("blink"));
      c.send("START module_id=b func=blink args=\"ms=60000\"");
      assertEquals("START_OK", c.nextText());
      SimBoards.awaitToggles(c, "b", 1);
      c.send("STOP module_id=b");
      assertEquals("STOP_OK status=PENDING", c.nextText());
      assertTrue(c.next(Result.class).forced());
      StatusOk s = c.status();
      c.send("SIM_FAULT pool_shrink=" + (s.pool().total() - s.pool().used() - 10000));
      c.nextLine();
      c.send("START module_id=b func=blink args=\"ms=1\"");
      assertEquals("RESULT status=NO_MEM module_id=b msg=\"free=10000 need>=16384 exec_env=no\"", c.nextText());
    }
  }
}
