package io.wasmfleet.sim.board;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.Instance;
import io.wasmfleet.sim.exec.HostCalls;
import io.wasmfleet.sim.exec.WasmProgram;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A module in a slot: its payload, what it holds of the pool, its Chicory instance (none for
 * a native AOT file, which the simulator cannot run) and the LED toggles it has made. It is
 * also the {@code env} the instance calls; a call from a worker that has been aborted (forced
 * stop, eviction, reboot) unwinds at once, as the real thread would be gone.
 */
final class LoadedModule implements HostCalls {

  final String id;
  final int size;
  final WasmProgram program;
  final String nativeAotArch;
  final List<WamrPool.Block> blocks;
  final AtomicLong toggles = new AtomicLong();
  private final Consumer<String> console;
  Instance instance;
  WamrPool.Block execEnv;
  private volatile Thread worker;

  LoadedModule(String id, int size, WasmProgram program, String nativeAotArch,
      List<WamrPool.Block> blocks, Consumer<String> console) {
    this.id = id;
    this.size = size;
    this.program = program;
    this.nativeAotArch = nativeAotArch;
    this.blocks = blocks;
    this.console = console;
  }

  /** How this module executes in the simulator, for STATUS's {@code sim_exec}. */
  String execution() {
    if (program == null) {
      return "aot-native";
    }
    return program.mode() == WasmProgram.Mode.COMPILED ? "compiled" : "interp";
  }

  void runOn(Thread thread) {
    worker = thread;
  }

  /** A cooperative stop (wasm_runtime_terminate): the module unwinds at its next check. */
  void terminateWorker() {
    Thread t = worker;
    if (t != null) {
      t.interrupt();
    }
  }

  /** The worker is aborted: its further calls into the firmware unwind. */
  void abortWorker() {
    Thread t = worker;
    worker = null;
    if (t != null) {
      t.interrupt();
    }
    synchronized (this) {
      notifyAll();
    }
  }

  void free() {
    abortWorker();
    blocks.forEach(WamrPool.Block::free);
    if (execEnv != null) {
      execEnv.free();
      execEnv = null;
    }
  }

  private void checkAlive() {
    if (Thread.currentThread() != worker) {
      throw new ChicoryInterruptedException("worker aborted");
    }
  }

  @Override
  public void gpioToggle() {
    checkAlive();
    toggles.incrementAndGet();
  }

  @Override
  public void uartPrint(String text) {
    checkAlive();
    console.accept(text);
  }

  /** Toggles, then sleeps like k_msleep: a wasm terminate does not cut the sleep short. */
  @Override
  public void ledToggle(int ms) {
    checkAlive();
    toggles.incrementAndGet();
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, ms));
    boolean interrupted = false;
    synchronized (this) {
      long left;
      while ((left = end - System.nanoTime()) > 0 && Thread.currentThread() == worker) {
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    checkAlive();
  }
}
