package io.wasmfleet.sim.board;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The board's UART receive buffer: links push bytes in, the firmware thread takes them out
 * one at a time. Bounded, so a fast sender is held back (TCP flow control) rather than
 * buffered without limit. A reboot empties it and wakes the reader with {@link Rebooted}.
 */
final class RxBuffer {

  /** The board rebooted while the firmware thread was waiting for input. */
  static final class Rebooted extends Exception {
    Rebooted() {
      super(null, null, false, false);
    }
  }

  private final byte[] ring;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private int head;
  private int count;
  private long epoch;
  private boolean closed;

  RxBuffer(int capacity) {
    ring = new byte[capacity];
  }

  void push(byte[] data, int offset, int length) throws InterruptedException {
    lock.lock();
    try {
      for (int i = 0; i < length; i++) {
        while (count == ring.length && !closed) {
          notFull.await();
        }
        if (closed) {
          return;
        }
        ring[(head + count) % ring.length] = data[offset + i];
        count++;
        notEmpty.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  long epoch() {
    lock.lock();
    try {
      return epoch;
    } finally {
      lock.unlock();
    }
  }

  /** The next byte, waiting as long as it takes. */
  int read(long seenEpoch) throws InterruptedException, Rebooted {
    return read(false, 0, seenEpoch);
  }

  /**
   * The next byte, or -1 when {@code deadlineNanos} ({@link System#nanoTime()} based) passes
   * first. Throws {@link Rebooted} when the epoch moved past {@code seenEpoch}.
   */
  int readBefore(long deadlineNanos, long seenEpoch) throws InterruptedException, Rebooted {
    return read(true, deadlineNanos, seenEpoch);
  }

  private int read(boolean timed, long deadlineNanos, long seenEpoch)
      throws InterruptedException, Rebooted {
    lock.lock();
    try {
      while (count == 0) {
        if (epoch != seenEpoch || closed) {
          throw new Rebooted();
        }
        if (!timed) {
          notEmpty.await();
        } else {
          long left = deadlineNanos - System.nanoTime();
          if (left <= 0) {
            return -1;
          }
          notEmpty.await(left, TimeUnit.NANOSECONDS);
        }
      }
      if (epoch != seenEpoch) {
        throw new Rebooted();
      }
      int b = ring[head] & 0xff;
      head = (head + 1) % ring.length;
      count--;
      notFull.signal();
      return b;
    } finally {
      lock.unlock();
    }
  }

  /** Drops what is buffered and starts a new epoch (a reboot). */
  void reset() {
    lock.lock();
    try {
      head = 0;
      count = 0;
      epoch++;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
