package io.wasmfleet.sim.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The simulated UART's clock: bytes take their time on the wire, and only the wire's. */
class PacerTest {

  private static final long BYTE = 86_806; // ns a byte at 115200 baud, 8N1

  @Test
  void bytesThatWereWaitingGoOutBackToBackHoweverLateTheyAreHandedOver() {
    Pacer p = new Pacer(BYTE);
    long t0 = 1_000_000_000L;
    assertEquals(t0 + 64 * BYTE, p.reserve(64, t0));
    // the next slice of the same read, booked 3 ms late by a slow timer: the wire did not wait
    assertEquals(t0 + 128 * BYTE, p.reserve(64, t0));
    assertEquals(t0 + 192 * BYTE, p.reserve(64, t0));
  }

  @Test
  void aWireWithNothingToSendStaysIdle() {
    Pacer p = new Pacer(BYTE);
    long t0 = 1_000_000_000L;
    p.reserve(64, t0);
    long later = t0 + 1_000_000_000L; // bytes that arrive a second after the wire went quiet
    assertEquals(later + 10 * BYTE, p.reserve(10, later));
  }
}
