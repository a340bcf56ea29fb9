package io.wasmfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.protocol.DeviceLine.Hello;
import io.wasmfleet.protocol.DeviceLine.LoadErr;
import io.wasmfleet.wasm.BuiltModules;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With UART pacing a transfer takes as long as at 115200 baud, which shows firmware 1.0.0's
 * whole-payload timeout for what it is, and the inactivity timeout as the fix.
 */
class UartPacingTest {

  private static final byte[] FFT = BuiltModules.wasmBytes("fft_bench");
  private static final Duration WIRE_TIME = Duration.ofNanos(FFT.length * 10_000_000_000L / 115200);

  @Test
  void aPayloadTakesItsTimeOnTheWire() throws Exception {
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of(), Map.of("uart-pacing", "on"));
        WireClient c = b.connect()) {
      c.next(Hello.class);
      long start = System.nanoTime();
      assertEquals("LOAD_OK", c.load("f", FFT).format());
      assertTrue(System.nanoTime() - start >= WIRE_TIME.toNanos(),
          FFT.length + " bytes take at least " + WIRE_TIME.toMillis() + " ms at 115200 baud");
    }
  }

  @Test
  void aWholePayloadTimeoutFailsSlowTransfersButAnInactivityTimeoutDoesNot() throws Exception {
    Duration shorterThanTheTransfer = WIRE_TIME.dividedBy(2);
    Map<String, String> total = Map.of("load-timeout", shorterThanTheTransfer.toMillis() + "ms");
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", total, Map.of("uart-pacing", "on"));
        WireClient c = b.connect()) {
      c.next(Hello.class);
      assertEquals("TIMEOUT", ((LoadErr) c.load("f", FFT)).code(), "firmware 1.0.0 behaviour");
    }
    Map<String, String> inactivity = Map.of(
        "load-timeout", shorterThanTheTransfer.toMillis() + "ms", "load-timeout-kind", "inactivity");
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", inactivity, Map.of("uart-pacing", "on"));
        WireClient c = b.connect()) {
      c.next(Hello.class);
      assertEquals("LOAD_OK", c.load("f", FFT).format(), "bytes keep arriving, so the load goes on");
    }
  }
}
