package io.wasmfleet.gateway;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition a user could observe, polling it every 50 ms up to a deadline (the
 * probe style of Pekko's {@code awaitAssert}, for tests that drive the gateway from outside).
 */
final class Probe {

  private Probe() {}

  static void await(int seconds, BooleanSupplier condition, Supplier<String> failure) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(failure.get() + " (within " + seconds + " s)");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }
}
