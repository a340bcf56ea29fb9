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

  /** Where paced bytes go: a board's UART, which may make the caller wait while it is full. */
  @FunctionalInterface
  interface Receiver {
    void receive(byte[] buf, int offset, int length) throws InterruptedException;
  }

  /**
   * Hands {@code length} bytes to {@code to} the way a UART delivers them: one after
   * another at the wire's pace, never a whole network segment at once.
   */
  void deliver(Receiver to, byte[] buf, int length) throws InterruptedException {
    long arrived = System.nanoTime();
    for (int off = 0; off < length; off += UART_SLICE) {
      int len = Math.min(UART_SLICE, length - off);
      pace(len, arrived);
      to.receive(buf, off, len);
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
    return reserve(bytes, System.nanoTime());
  }

  /**
   * Books {@code bytes} that reached the sender at {@code arrived}: the wire starts on them when
   * it is free and they are there, so a late wake-up of the thread that hands bytes over costs
   * the wire nothing (a UART's shift register does not wait for the CPU), while a wire with
   * nothing to send stays idle.
   */
  public synchronized long reserve(int bytes, long arrived) {
    next = Math.max(next, arrived) + bytes * nanosPerByte;
    return next;
  }

  public synchronized void pace(int bytes) {
    pace(bytes, System.nanoTime());
  }

  /** As {@link #pace(int)}, for bytes that reached the sender at {@code arrived}. */
  public synchronized void pace(int bytes, long arrived) {
    if (nanosPerByte <= 0) {
      return;
    }
    next = Math.max(next, arrived) + bytes * nanosPerByte;
    long wait;
    while ((wait = next - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }
}
