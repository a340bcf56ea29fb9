package io.wasmfleet.sim.board;

/**
 * One of the board's module slots (MAX_MODULES): empty, or holding a module that is loaded
 * or running a job. Guarded by the {@link Modules} monitor.
 */
final class Slot {

  /** A call running on the slot's worker thread. */
  static final class Job {
    final String func;
    final long startNanos = System.nanoTime();
    final long togglesAtStart;

    Job(String func, long togglesAtStart) {
      this.func = func;
      this.togglesAtStart = togglesAtStart;
    }

    long elapsedMicros() {
      return (System.nanoTime() - startNanos) / 1000;
    }
  }

  final int index;
  LoadedModule module;
  Job job;

  Slot(int index) {
    this.index = index;
  }

  boolean holds(String moduleId) {
    return module != null && module.id.equals(moduleId);
  }
}
