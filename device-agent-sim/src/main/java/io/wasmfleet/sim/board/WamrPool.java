package io.wasmfleet.sim.board;

import java.util.Optional;

/**
 * The WAMR global pool ({@code Alloc_With_Pool}) as arithmetic: every allocation costs its
 * size rounded up to 8 bytes plus an 8-byte block header, as in WAMR's ems allocator. The
 * runtime's own structures are taken at boot. Thread-safe: slots allocate from workers too.
 */
public final class WamrPool {

  static final int BLOCK_HEADER = 8;

  /** A block taken from the pool; freeing it twice is harmless. */
  public final class Block {
    private final String what;
    private final long cost;
    private boolean freed;

    private Block(String what, long cost) {
      this.what = what;
      this.cost = cost;
    }

    public long cost() {
      return cost;
    }

    public void free() {
      synchronized (WamrPool.this) {
        if (!freed) {
          freed = true;
          used -= cost;
        }
      }
    }

    @Override
    public String toString() {
      return what + "(" + cost + ")";
    }
  }

  private final long configuredTotal;
  private long total;
  private long used;
  private long highmark;

  public WamrPool(long total, long runtimeReserved) {
    this.configuredTotal = total;
    this.total = total;
    allocate("runtime", runtimeReserved);
  }

  /** What an allocation of {@code bytes} takes from the pool. */
  public static long cost(long bytes) {
    return ((bytes + 7) & ~7L) + BLOCK_HEADER;
  }

  public synchronized Optional<Block> allocate(String what, long bytes) {
    long cost = cost(bytes);
    if (cost > total - used) {
      return Optional.empty();
    }
    used += cost;
    highmark = Math.max(highmark, used);
    return Optional.of(new Block(what, cost));
  }

  public synchronized long total() {
    return total;
  }

  public synchronized long used() {
    return used;
  }

  public synchronized long free() {
    return total - used;
  }

  public synchronized long highmark() {
    return highmark;
  }

  /**
   * The shrink fault: takes {@code bytes} away from the pool as if other firmware code had
   * claimed them (never below what is in use); 0 gives everything back.
   */
  public synchronized void shrinkBy(long bytes) {
    total = Math.max(used, configuredTotal - Math.max(0, bytes));
  }
}
