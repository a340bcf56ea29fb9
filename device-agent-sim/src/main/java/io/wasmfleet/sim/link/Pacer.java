package io.wasmfleet.sim.link;

import java.util.concurrent.locks.LockSupport;

/**
 * Makes bytes take as long as they would on a UART: each byte costs {@code nanosPerByte},
 * and {@link #pace} returns when the wire would have carried everything so far. A pacer with
 * 0 nanoseconds per byte never waits.
 */
public final class Pacer {

  private final long nanosPerByte;
  private long next;

  public Pacer(long nanosPerByte) {
    this.nanosPerByte = nanosPerByte;
  }

  public static Pacer none() {
    return new Pacer(0);
  }

  /** Bytes delivered per pacing step: about 5.6 ms at 115200 baud. */
  static final int UART_SLICE = 64;

  /**
   * Hands {@code length} bytes to {@code board} the way a UART delivers them: one after
   * another at the wire's pace, never a whole network segment at once.
   */
  void deliver(io.wasmfleet.sim.board.SimulatedBoard board, byte[] buf, int length) throws InterruptedException {
    for (int off = 0; off < length; off += UART_SLICE) {
      int len = Math.min(UART_SLICE, length - off);
      pace(len);
      board.receive(buf, off, len);
    }
  }

  /** True when bytes take time on this wire. */
  public boolean paces() {
    return nanosPerByte > 0;
  }

  /**
   * Books {@code bytes} on the wire after everything booked so far and returns the
   * {@link System#nanoTime()} at which they have crossed it; never waits.
   */
  public synchronized long reserve(int bytes) {
    long now = System.nanoTime();
    next = Math.max(next, now) + bytes * nanosPerByte;
    return next;
  }

  public synchronized void pace(int bytes) {
    if (nanosPerByte <= 0) {
      return;
    }
    long now = System.nanoTime();
    next = Math.max(next, now) + bytes * nanosPerByte;
    long wait;
    while ((wait = next - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }
}
