package io.wasmfleet.gateway.device;

import io.wasmfleet.protocol.DeviceLine.StatusOk;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A board's slots as the gateway knows them: one {@link ModuleSlot} per slot, which module is
 * in which slot (placement), and our firmware's built-in benchmarks (always there, never in
 * STATUS). Plain logic, owned by the DeviceActor; the board's STATUS is the source of truth.
 */
final class SlotTable {

  static final List<String> BUILTIN_IDS = List.of("native.fft", "native.toggle");

  private final String boardId;
  private final ModuleSlot.Timers timers;
  private final List<ModuleSlot> slots = new ArrayList<>();
  private final Map<String, Integer> placement = new HashMap<>();
  private final Map<String, ModuleSlot> builtins = new HashMap<>();

  SlotTable(String boardId, int count, ModuleSlot.Timers timers) {
    this.boardId = boardId;
    this.timers = timers;
    for (int i = 0; i < count; i++) {
      slots.add(new ModuleSlot(timers));
    }
  }

  /** The slot holding module {@code id}: a module slot, or a built-in's; null when unknown. */
  ModuleSlot slotOf(String id) {
    if (id == null) {
      return null;
    }
    Integer i = placement.get(id);
    return i != null ? slots.get(i) : builtins.get(id);
  }

  /** Where the board puts module {@code id}: its own slot, else a free one, else the victim's; -1 if unknown. */
  int slotFor(String id, String victim) {
    Integer slot = placement.get(id);
    for (int i = 0; slot == null && i < slots.size(); i++) {
      if (!placement.containsValue(i)) {
        slot = i;
      }
    }
    if (slot == null && victim != null) {
      slot = placement.get(victim);
    }
    return slot == null ? -1 : slot;
  }

  boolean holds(String id) {
    return placement.containsKey(id);
  }

  boolean isEmpty() {
    return placement.isEmpty();
  }

  Set<String> modules() {
    return Set.copyOf(placement.keySet());
  }

  /** LOAD_READY: the payload goes into {@code slot}. */
  void loading(int slot, String id, long size) {
    slots.get(slot).loading(id, size);
  }

  /** LOAD_OK: {@code id} is in {@code slot} now (whatever was there is gone). */
  void loaded(int slot, String id) {
    placement.values().removeIf(i -> i == slot);
    placement.put(id, slot);
    slots.get(slot).loaded();
  }

  /** The load into {@code slot} failed: the board emptied it (STATUS says what is there now). */
  void loadFailed(int slot) {
    slots.get(slot).loadFailed();
    placement.values().removeIf(i -> i == slot);
  }

  /**
   * What STATUS lists: a known module stays in its slot, one the gateway did not know of takes
   * a free slot, and a slot whose module is not listed is cleared.
   */
  void reconcile(List<StatusOk.ModuleEntry> modules) {
    Map<String, Integer> next = new HashMap<>();
    List<StatusOk.ModuleEntry> unplaced = new ArrayList<>();
    for (StatusOk.ModuleEntry e : modules) {
      Integer known = placement.get(e.id());
      if (known != null) {
        next.put(e.id(), known);
      } else {
        unplaced.add(e);
      }
    }
    for (StatusOk.ModuleEntry e : unplaced) {
      for (int i = 0; i < slots.size(); i++) {
        if (!next.containsValue(i)) {
          next.put(e.id(), i);
          break;
        }
      }
    }
    for (int i = 0; i < slots.size(); i++) {
      StatusOk.ModuleEntry there = null;
      for (StatusOk.ModuleEntry e : modules) {
        if (Integer.valueOf(i).equals(next.get(e.id()))) {
          there = e;
        }
      }
      if (there != null) {
        slots.get(i).adopt(there.id(), there.running(), there.wasmBytes());
      } else {
        slots.get(i).clear("the module is no longer on board " + boardId);
      }
    }
    placement.clear();
    placement.putAll(next);
  }

  /** The board rebooted: every module is gone, the built-ins are idle again. */
  void rebooted(String error) {
    placement.forEach((id, i) -> slots.get(i).clear(error + " (" + id + " was lost)"));
    builtins.forEach((id, slot) -> {
      slot.clear(error + " (the job of " + id + " was lost)");
      slot.adopt(id, false, 0);
    });
    slots.forEach(ModuleSlot::loadFailed);
    placement.clear();
  }

  void linkLost(String error) {
    slots.forEach(slot -> slot.linkLost(error));
    builtins.values().forEach(slot -> slot.linkLost(error));
  }

  void ownerStopped() {
    slots.forEach(ModuleSlot::ownerStopped);
    builtins.values().forEach(ModuleSlot::ownerStopped);
  }

  /** Our firmware's built-in native benchmarks exist while its HELLO or STATUS caps say "native". */
  void knowBuiltins(boolean announced) {
    if (!announced) {
      builtins.values().forEach(slot -> slot.clear("board " + boardId + " no longer announces its built-in benchmarks"));
      builtins.clear();
      return;
    }
    for (String id : BUILTIN_IDS) {
      builtins.computeIfAbsent(id, k -> {
        ModuleSlot slot = new ModuleSlot(timers);
        slot.adopt(k, false, 0);
        return slot;
      });
    }
  }

  /** The modules in the board's slots, as lists show them (built-ins are not listed). */
  List<ModuleView> views() {
    return slots.stream().map(ModuleSlot::view).filter(Objects::nonNull).toList();
  }
}
