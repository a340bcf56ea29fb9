package io.wasmfleet.sim.board;

import com.dylibso.chicory.wasm.types.FunctionType;
import io.wasmfleet.protocol.DeviceLine.Result;
import io.wasmfleet.protocol.DeviceLine.StopOk;
import io.wasmfleet.protocol.DeviceLine;
import io.wasmfleet.protocol.GatewayCommand.Start;
import io.wasmfleet.protocol.GatewayCommand;
import io.wasmfleet.protocol.WireFormatException;
import io.wasmfleet.protocol.WireLine;
import io.wasmfleet.protocol.WireParams;
import io.wasmfleet.sim.exec.Outcome;
import io.wasmfleet.sim.exec.WasmProgram;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * START, STOP and RESULT: each job runs on its own worker thread, as on the firmware; a STOP
 * asks the module to end (wasm_runtime_terminate), and a timer forces it after
 * {@code forced-stop-after}. Every change happens under the {@link Modules} monitor, with the
 * line that reports it.
 */
final class Jobs {

  private static final Logger log = LoggerFactory.getLogger(Jobs.class);

  private final String id;
  private final BoardProfile profile;
  private final Modules modules;
  private final Replies out;
  private final ScheduledExecutorService threads;

  Jobs(String id, BoardProfile profile, Modules modules, Replies out, ScheduledExecutorService threads) {
    this.id = id;
    this.profile = profile;
    this.modules = modules;
    this.out = out;
    this.threads = threads;
  }

  /** A RESULT firmware 1.0.0 prints without module_id; ours appends it (extensions). */
  private String result(String status, String moduleId, String msg) {
    return new Result(status, false, profile.extensions() ? moduleId : null, null, null, msg, WireParams.EMPTY)
        .format();
  }

  void onStart(String line) {
    Start start;
    try {
      start = (Start) GatewayCommand.parse(line);
    } catch (WireFormatException e) {
      boolean noId = e.field().equals("module_id") && e.problem() == WireFormatException.Problem.MISSING;
      String moduleId = WireLine.tokenize(line).flatMap(w -> w.params().get("module_id")).orElse(null);
      out.reply(result("BAD_PARAMS", noId ? null : moduleId, noId ? "missing module_id" : e.getMessage()));
      return;
    }
    synchronized (modules) {
      Slot slot = modules.find(start.moduleId());
      if (slot == null) {
        out.reply(result("NO_MODULE", start.moduleId(), null));
        return;
      }
      if (slot.job != null) {
        out.reply(result("BUSY", start.moduleId(), null));
        return;
      }
      LoadedModule m = slot.module;
      WamrPool pool = modules.pool();
      long free = pool.free();
      long guard = m.execEnv == null ? profile.startGuardWithoutExecEnv() : profile.startGuardWithExecEnv();
      if (free < guard) {
        out.reply(result("NO_MEM", start.moduleId(), String.format(Locale.ROOT,
            "free=%d need>=%d exec_env=%s", free, guard, m.execEnv == null ? "no" : "yes")));
        return;
      }
      String func = start.func();
      if (func == null) {
        if (m.program != null && m.program.exportedFunction("app_main").isEmpty()) {
          out.reply(result("NO_ENTRYPOINT", start.moduleId(),
              start.args().isEmpty() ? "expected app_main" : "args require app_main"));
          return;
        }
        func = "app_main";
      }
      out.reply(new DeviceLine.StartOk(WireParams.EMPTY).format());
      if (m.execEnv == null) {
        Optional<WamrPool.Block> env = pool.allocate("exec_env", profile.execEnv() + profile.wasmStack());
        if (env.isEmpty()) {
          out.emit(result("NO_EXEC_ENV", m.id, "free=" + pool.free()));
          return;
        }
        m.execEnv = env.get();
      }
      if (m.program == null) {
        out.emit(new Result("EXCEPTION", false, m.id, func, null,
            "simulator cannot execute native " + m.nativeAotArch + " AOT code", WireParams.EMPTY).format());
        return;
      }
      Optional<FunctionType> type = m.program.exportedFunction(func);
      if (type.isEmpty()) {
        out.emit(result("NO_FUNC", m.id, null));
        return;
      }
      Slot.Job job = new Slot.Job(func, m.toggles.get());
      slot.job = job;
      int[] args = start.args().values();
      Thread worker = new Thread(() -> runJob(slot, m, job, type.get(), args), "sim-" + id + "-slot" + slot.index);
      worker.setDaemon(true);
      m.runOn(worker);
      worker.start();
    }
  }

  private void runJob(Slot slot, LoadedModule m, Slot.Job job, FunctionType type, int[] args) {
    Outcome outcome = WasmProgram.call(m.instance, job.func, type, args);
    synchronized (modules) {
      if (slot.job != job) {
        return; // force-stopped, evicted or rebooted: already answered
      }
      slot.job = null;
      m.runOn(null);
      out.emit(new Result(outcome.status(), false, m.id, job.func, outcome.retI32(), outcome.msg(),
          timing(m, job)).format());
    }
  }

  private WireParams timing(LoadedModule m, Slot.Job job) {
    if (!profile.extensions()) {
      return WireParams.EMPTY;
    }
    long toggles = m.toggles.get() - job.togglesAtStart;
    return WireParams.builder()
        .add("elapsed_us", job.elapsedMicros())
        .add("toggles", toggles > 0 ? toggles : null)
        .build();
  }

  private String forcedResult(Slot slot) {
    return new Result("STOPPED", true, slot.module.id, slot.job.func, null, null,
        timing(slot.module, slot.job)).format();
  }

  void onStop(String line) {
    String moduleId = WireLine.tokenize(line).flatMap(w -> w.params().get("module_id")).orElse(null);
    if (moduleId == null) {
      out.reply(new StopOk("NO_JOB", WireParams.EMPTY).format());
      return;
    }
    synchronized (modules) {
      Slot slot = modules.find(moduleId);
      if (slot == null || slot.job == null) {
        out.reply(new StopOk("IDLE", WireParams.EMPTY).format());
        return;
      }
      out.reply(new StopOk(StopOk.PENDING, WireParams.EMPTY).format());
      Slot.Job job = slot.job;
      slot.module.terminateWorker();
      threads.schedule(() -> forceIfStillRunning(slot, job), profile.forcedStopAfter().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /**
   * No RESULT within {@code forced-stop-after}: the worker is aborted, the module
   * re-instantiated (it stays loaded, without an exec env) and the forced RESULT printed.
   */
  private void forceIfStillRunning(Slot slot, Slot.Job job) {
    synchronized (modules) {
      if (slot.job != job) {
        return;
      }
      LoadedModule m = slot.module;
      out.emit(forcedResult(slot));
      slot.job = null;
      m.abortWorker();
      if (m.execEnv != null) {
        m.execEnv.free();
        m.execEnv = null;
      }
      try {
        m.instance = m.program.instantiate(m);
      } catch (WasmProgram.LoadFailure e) {
        log.warn("board {}: re-instantiating {} after a forced stop failed: {}", id, m.id, e.getMessage());
      }
    }
  }

  /** Empties a slot for a LOAD: a running job is force-stopped (and says so), the module unloaded. The caller holds the {@link Modules} monitor. */
  void evict(Slot slot) {
    if (slot.job != null) {
      out.emit(forcedResult(slot));
      slot.job = null;
    }
    if (slot.module != null) {
      slot.module.free();
      slot.module = null;
    }
  }
}
