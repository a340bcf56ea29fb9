package io.wasmfleet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.gateway.deploy.Decision;
import io.wasmfleet.gateway.device.BoardConfig;
import io.wasmfleet.gateway.device.BoardState;
import io.wasmfleet.gateway.device.ModuleView;
import io.wasmfleet.gateway.transport.Endpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a deployment goes, from the board's slots. */
class DecisionTest {

  private static BoardState board(ModuleView... modules) {
    BoardConfig c = new BoardConfig("b", "nucleo_f446re", "cortex-m4", "thumbv7em", 40,
        Endpoint.parse("tcp:127.0.0.1:1"), 115200, 2, List.of());
    return new BoardState(c, "CONNECTED", List.of(modules), null, null, false, "gw1");
  }

  private static ModuleView idle(String id, long lastUsed) {
    return new ModuleView(id, "LOADED", null, lastUsed, 100);
  }

  private static ModuleView running(String id, long lastUsed) {
    return new ModuleView(id, "RUNNING", "f", lastUsed, 100);
  }

  @Test
  void inPlace() {
    Decision d = Decision.of("a", false, null, board(idle("a", 1), idle("b", 2)));
    assertFalse(d.replace());
    assertNull(d.victim());
    assertEquals("a is reloaded in place", d.explanation());
    Decision withVictim = Decision.of("a", false, "b", board(idle("a", 1), idle("b", 2)));
    assertTrue(withVictim.replace(), "a victim always brings replace=1");
    assertEquals("b", withVictim.victim(), "the board reports it ignored (VICTIM_IGNORED)");
  }

  @Test
  void freeSlotNeedsNoVictim() {
    Decision d = Decision.of("c", false, "a", board(idle("a", 1)));
    assertNull(d.victim());
    assertEquals("a slot was free; no victim needed", d.explanation());
  }

  @Test
  void autoPrefersTheLeastRecentlyUsedIdleModule() {
    Decision d = Decision.of("c", false, "auto", board(running("a", 1), idle("b", 5)));
    assertEquals("b", d.victim());
    assertTrue(d.replace());
    Decision lru = Decision.of("c", false, "auto", board(idle("a", 9), idle("b", 5)));
    assertEquals("b", lru.victim());
  }

  @Test
  void autoForceStopsTheLeastRecentlyUsedWhenAllRun() {
    Decision d = Decision.of("c", false, "auto", board(running("a", 9), running("b", 5)));
    assertEquals("b", d.victim());
    assertTrue(d.explanation().contains("force-stopped"));
  }

  @Test
  void anExplicitVictimMustBeLoaded() {
    Decision d = Decision.of("c", false, "zz", board(idle("a", 1), idle("b", 2)));
    assertEquals("replace_victim 'zz' is not loaded on board b (loaded: a, b)", d.refusal());
  }

  @Test
  void fullWithoutVictimGoesToTheBoardAsAsked() {
    Decision d = Decision.of("c", true, null, board(idle("a", 1), idle("b", 2)));
    assertTrue(d.replace());
    assertNull(d.victim());
    assertNull(d.refusal(), "the board answers FULL NEED_VICTIM itself");
  }
}
