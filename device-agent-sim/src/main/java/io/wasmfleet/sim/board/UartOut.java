package io.wasmfleet.sim.board;

import io.wasmfleet.sim.link.Pacer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A simulated board's UART, the sending side: each line goes whole to the link attached now
 * (with none attached it is lost, as on an unconnected UART), no faster than the UART's baud
 * rate when paced, and is held back while the board hangs. A HELLO printed while nobody is
 * connected goes to the next link first. Thread-safe: every method takes the output lock, and
 * a paced line is written by a timer, never by a thread that waits for the wire.
 */
final class UartOut {

  /** A line on a paced wire: written to {@code uplink} once the wire has carried it. */
  private record Paced(Uplink uplink, byte[] bytes, long dueNanos) {}

  private final Pacer pacer;
  private final ScheduledExecutorService threads;
  private final Object lock = new Object();

  // guarded by lock
  private Uplink uplink;
  private String pendingHello;
  private boolean hung;
  private final List<String> held = new ArrayList<>();
  private final ArrayDeque<Paced> queue = new ArrayDeque<>();
  private boolean flushScheduled;

  UartOut(Pacer pacer, ScheduledExecutorService threads) {
    this.pacer = pacer;
    this.threads = threads;
  }

  /** A link connected: output goes there, starting with a HELLO nobody has seen yet. */
  void attach(Uplink up) {
    synchronized (lock) {
      uplink = up;
      if (pendingHello != null && write(pendingHello)) {
        pendingHello = null;
      }
    }
  }

  /** A link went away; output is lost until the next one. */
  void detach(Uplink up) {
    synchronized (lock) {
      if (uplink == up) {
        uplink = null;
      }
    }
  }

  /** A boot: not hung, nothing held, and the HELLO printed (or kept for the next link). */
  void boot(String hello) {
    synchronized (lock) {
      hung = false;
      held.clear();
      pendingHello = write(hello) ? null : hello;
    }
  }

  /** Prints one line (held back while the board hangs). */
  void print(String line) {
    synchronized (lock) {
      if (hung) {
        held.add(line);
      } else {
        write(line);
      }
    }
  }

  /** Prints one line even while the board hangs (the simulator's admin replies are out of band). */
  void printAlways(String line) {
    synchronized (lock) {
      write(line);
    }
  }

  /** From now on lines are held until {@link #release}. */
  void hang() {
    synchronized (lock) {
      hung = true;
    }
  }

  /** Prints what was held, and every line from now on. */
  void release() {
    synchronized (lock) {
      hung = false;
      held.forEach(this::write);
      held.clear();
    }
  }

  boolean hung() {
    synchronized (lock) {
      return hung;
    }
  }

  /** Under the lock. False when no link is attached (the line is lost). */
  private boolean write(String line) {
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.ISO_8859_1);
    if (uplink == null) {
      return false;
    }
    if (!pacer.paces()) {
      return uplink.write(bytes);
    }
    queue.add(new Paced(uplink, bytes, pacer.reserve(bytes.length)));
    scheduleFlush();
    return true;
  }

  private void scheduleFlush() {
    if (flushScheduled || queue.isEmpty()) {
      return;
    }
    flushScheduled = true;
    long wait = Math.max(0, queue.peek().dueNanos() - System.nanoTime());
    threads.schedule(this::flush, wait, TimeUnit.NANOSECONDS);
  }

  private void flush() {
    synchronized (lock) {
      flushScheduled = false;
      long now = System.nanoTime();
      while (!queue.isEmpty() && queue.peek().dueNanos() <= now) {
        Paced p = queue.poll();
        p.uplink().write(p.bytes());
      }
      scheduleFlush();
    }
  }
}
