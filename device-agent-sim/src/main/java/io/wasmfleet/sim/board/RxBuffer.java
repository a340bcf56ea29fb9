package io.wasmfleet.sim.board;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The board's UART receive buffer: links put bytes in, the firmware takes them out one at a
 * time. Bounded, so a fast sender is held back (TCP flow control) rather than buffered without
 * limit: a network link offers what fits and waits for {@link SimulatedBoard#whenRxSpace}; a
 * serial link's reader blocks in {@link #push}. A reboot empties it and starts a new epoch.
 */
final class RxBuffer {

  private final byte[] ring;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notFull = lock.newCondition();
  private int head;
  private int count;
  private long epoch;
  private boolean closed;

  RxBuffer(int capacity) {
    ring = new byte[capacity];
  }

  /** Puts in as many bytes as fit and returns how many that was. */
  int offer(byte[] data, int offset, int length) {
    lock.lock();
    try {
      if (closed) {
        return length;
      }
      int n = Math.min(length, ring.length - count);
      for (int i = 0; i < n; i++) {
        ring[(head + count) % ring.length] = data[offset + i];
        count++;
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** Puts in every byte, waiting while the buffer is full (a serial line's reader). */
  void push(byte[] data, int offset, int length, Runnable afterSome) throws InterruptedException {
    int done = 0;
    while (done < length) {
      lock.lock();
      try {
        while (count == ring.length && !closed) {
          notFull.await();
        }
        if (closed) {
          return;
        }
      } finally {
        lock.unlock();
      }
      done += offer(data, offset + done, length - done);
      afterSome.run();
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

  /** The next byte, or -1 when there is none or the epoch moved past {@code seenEpoch}. */
  int poll(long seenEpoch) {
    lock.lock();
    try {
      if (count == 0 || epoch != seenEpoch) {
        return -1;
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

  boolean isEmpty() {
    lock.lock();
    try {
      return count == 0;
    } finally {
      lock.unlock();
    }
  }

  boolean hasSpace() {
    lock.lock();
    try {
      return count < ring.length || closed;
    } finally {
      lock.unlock();
    }
  }

  /** Drops what is buffered and starts a new epoch (a reboot). */
  void reset() {
    reset(false);
  }

  /** Starts a new epoch (a reboot); the bytes buffered are dropped unless {@code keepBytes}. */
  void reset(boolean keepBytes) {
    lock.lock();
    try {
      if (!keepBytes) {
        head = 0;
        count = 0;
      }
      epoch++;
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void close() {
    lock.lock();
    try {
      closed = true;
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
