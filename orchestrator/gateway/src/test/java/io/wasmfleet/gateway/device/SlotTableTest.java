package io.wasmfleet.gateway.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.protocol.DeviceLine.StatusOk.ModuleEntry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which module the gateway believes is in which slot of a board, and how STATUS (the board's
 * own truth), loads and reboots change that: plain logic, no actor.
 */
class SlotTableTest {

  private static final ModuleSlot.Timers NO_TIMERS = new ModuleSlot.Timers() {
    @Override
    public void start(ModuleSlot slot, long waiter, Duration after) {}

    @Override
    public void cancel(ModuleSlot slot, long waiter) {}
  };

  private final SlotTable table = new SlotTable("b1", 2, NO_TIMERS);

  private static ModuleEntry entry(String id, String state) {
    return new ModuleEntry(id, state, 100, 512);
  }

  private static List<String> shown(SlotTable t) {
    return t.views().stream().map(v -> v.id() + ":" + v.phase()).toList();
  }

  @Test
  void aLoadGoesToItsOwnSlotElseAFreeOneElseTheVictims() {
    assertEquals(0, table.slotFor("a", null));
    table.loading(0, "a", 10);
    table.loaded(0, "a");
    assertEquals(0, table.slotFor("a", null), "a reload in place");
    assertEquals(1, table.slotFor("b", null), "the free slot");
    table.loading(1, "b", 10);
    table.loaded(1, "b");
    assertEquals(-1, table.slotFor("c", null), "full, no victim: the board decides (or refuses)");
    assertEquals(1, table.slotFor("c", "b"), "the victim's slot");
    table.loading(1, "c", 10);
    table.loaded(1, "c");
    assertEquals(Set.of("a", "c"), table.modules());
    assertEquals(List.of("a:LOADED", "c:LOADED"), shown(table));
  }

  @Test
  void aFailedLoadLeavesItsSlotEmpty() {
    table.loading(0, "a", 10);
    table.loaded(0, "a");
    table.loading(0, "a2", 10);
    table.loadFailed(0);
    assertTrue(table.isEmpty());
    assertEquals(List.of(), shown(table));
  }

  @Test
  void statusKeepsKnownModulesInPlacePlacesUnknownOnesAndClearsTheRest() {
    table.loading(1, "kept", 10);
    table.loaded(1, "kept");
    table.reconcile(List.of(entry("stranger", "RUNNING"), entry("kept", "LOADED")));
    assertEquals(Set.of("kept", "stranger"), table.modules());
    assertEquals(List.of("stranger:RUNNING", "kept:LOADED"), shown(table), "kept stays in slot 1; the other takes slot 0");
    table.reconcile(List.of(entry("stranger", "LOADED")));
    assertEquals(List.of("stranger:LOADED"), shown(table));
    assertNull(table.slotOf("kept"));
  }

  @Test
  void aRebootEmptiesEverySlotAndTheBuiltInsStayIdle() {
    table.knowBuiltins(true);
    table.loading(0, "a", 10);
    table.loaded(0, "a");
    table.slotOf("native.fft").started("run");
    table.rebooted("board b1 rebooted; its modules are gone");
    assertTrue(table.isEmpty());
    ModuleSlot fft = table.slotOf("native.fft");
    assertNotNull(fft);
    assertEquals(ModuleSlot.Phase.LOADED, fft.phase());
    assertEquals(List.of(), shown(table), "built-ins are never listed as modules");
    table.knowBuiltins(false);
    assertNull(table.slotOf("native.fft"));
  }

  @Test
  void aBuiltInIsFoundByItsIdAndAModuleByItsSlot() {
    table.knowBuiltins(true);
    table.knowBuiltins(true);
    ModuleSlot first = table.slotOf("native.toggle");
    table.knowBuiltins(true);
    assertSame(first, table.slotOf("native.toggle"), "announced again: the same built-in, its waiters kept");
    assertNull(table.slotOf(null));
    assertNull(table.slotOf("nowhere"));
  }
}
