package io.wasmfleet.sim.board;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads every simulated board of a process shares: a board's firmware runs as short
 * steps (a line, a payload chunk, a timer) on them, one step of a board at a time, so a
 * thousand boards need a handful of threads. Only a running wasm job has a thread of its own,
 * as on the firmware, and only while it runs.
 */
public final class SimThreads {

  private static final ScheduledExecutorService SHARED = create();

  private SimThreads() {}

  public static ScheduledExecutorService shared() {
    return SHARED;
  }

  private static ScheduledExecutorService create() {
    AtomicInteger n = new AtomicInteger();
    ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(
        Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
          Thread t = new Thread(r, "sim-firmware-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.setRemoveOnCancelPolicy(true);
    return pool;
  }
}
