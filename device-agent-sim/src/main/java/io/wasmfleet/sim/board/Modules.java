package io.wasmfleet.sim.board;

import io.wasmfleet.protocol.DeviceLine.StatusOk;
import io.wasmfleet.protocol.WireParams;
import java.util.ArrayList;
import java.util.List;

/**
 * What the board holds: its module slots (MAX_MODULES) and its WAMR pool. Every change to
 * them, and every line that reports one, happens while holding this object's monitor, so
 * START_OK always precedes its RESULT and STOP_OK its RESULT. Methods that read or change
 * several slots say that the caller holds the monitor; the others take it themselves.
 */
final class Modules {

  private final BoardProfile profile;
  private final Slot[] slots;
  // guarded by this
  private WamrPool pool;
  private long boots;

  Modules(BoardProfile profile) {
    this.profile = profile;
    this.slots = new Slot[profile.slots()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Slot(i);
    }
  }

  /** A boot: every job aborted, every module lost, a fresh pool {@code shrink} bytes smaller. */
  synchronized void boot(long shrink) {
    boots++;
    for (Slot slot : slots) {
      if (slot.module != null) {
        slot.module.abortWorker();
      }
      slot.module = null;
      slot.job = null;
    }
    pool = new WamrPool(profile.wamrPool(), profile.runtimeReserved());
    pool.shrinkBy(shrink);
  }

  /** The pool as it is now; the caller holds the monitor. */
  WamrPool pool() {
    return pool;
  }

  synchronized void shrinkPoolBy(long bytes) {
    pool.shrinkBy(bytes);
  }

  /** The slot that holds {@code moduleId}, or null; the caller holds the monitor. */
  Slot find(String moduleId) {
    for (Slot s : slots) {
      if (s.holds(moduleId)) {
        return s;
      }
    }
    return null;
  }

  /** An empty slot, or null; the caller holds the monitor. */
  Slot freeSlot() {
    for (Slot s : slots) {
      if (s.module == null) {
        return s;
      }
    }
    return null;
  }

  /** The board's own STATUS, as it would answer now. */
  synchronized StatusOk status() {
    List<StatusOk.ModuleEntry> modules = new ArrayList<>();
    List<String> lowStack = new ArrayList<>();
    List<String> execution = new ArrayList<>();
    for (Slot s : slots) {
      if (s.module == null) {
        continue;
      }
      long stackFree = profile.workerStack() - profile.workerStackUsed();
      modules.add(new StatusOk.ModuleEntry(s.module.id, s.job != null ? "RUNNING" : "LOADED", s.module.size, stackFree));
      if (stackFree < profile.lowStackBelow()) {
        lowStack.add(s.module.id);
      }
      execution.add(s.module.id + ":" + s.module.execution());
    }
    WireParams.Builder extra = WireParams.builder();
    if (profile.extensions()) {
      extra.quoted("sim_exec", execution.isEmpty() ? "none" : String.join(",", execution));
    }
    if (profile.load2()) {
      extra.add("caps", "load2");
    }
    return new StatusOk(modules, lowStack,
        new StatusOk.PoolFigures(pool.total(), pool.free(), pool.used(), pool.highmark()), extra.build());
  }

  synchronized long boots() {
    return boots;
  }

  /** SIM_INFO's figures of the slots: each module's LED toggles, the modules running. */
  synchronized WireParams describe() {
    List<String> toggles = new ArrayList<>();
    List<String> running = new ArrayList<>();
    for (Slot s : slots) {
      if (s.module != null) {
        toggles.add(s.module.id + ":" + s.module.toggles.get());
      }
      if (s.job != null) {
        running.add(s.module.id);
      }
    }
    return WireParams.builder()
        .quoted("toggles", toggles.isEmpty() ? "none" : String.join(",", toggles))
        .quoted("running", running.isEmpty() ? "none" : String.join(",", running))
        .build();
  }

  /** The board is closed: every worker is aborted. */
  synchronized void close() {
    for (Slot s : slots) {
      if (s.module != null) {
        s.module.abortWorker();
      }
    }
  }
}
