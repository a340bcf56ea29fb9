package io.wasmfleet.gateway.deploy;

import io.wasmfleet.gateway.device.BoardState;
import io.wasmfleet.gateway.device.ModuleView;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Where a module goes on a board: reloaded in place, into a free slot, or over a victim. A
 * victim always brings {@code replace=1}. {@code refusal} is set when the request cannot go
 * to the board at all (an explicit victim that is not loaded).
 */
public record Decision(boolean replace, String victim, String explanation, String refusal) {

  /** {@code replace_victim=auto}: the gateway picks the victim. */
  public static final String AUTO = "auto";

  public static Decision of(String moduleId, boolean replace, String requestedVictim, BoardState board) {
    List<ModuleView> modules = board.modules();
    List<String> loaded = modules.stream().map(ModuleView::id).toList();
    if (loaded.contains(moduleId)) {
      if (requestedVictim != null && !AUTO.equals(requestedVictim)) {
        // Firmware semantics: the board ignores the victim and says so (warn=VICTIM_IGNORED).
        return new Decision(true, requestedVictim, moduleId + " is reloaded in place", null);
      }
      return new Decision(replace || requestedVictim != null, null, moduleId + " is reloaded in place", null);
    }
    if (loaded.size() < board.config().slots()) {
      String note = requestedVictim == null ? "" : "; no victim needed";
      return new Decision(replace, null, "a slot was free" + note, null);
    }
    if (requestedVictim == null) {
      return new Decision(replace, null, "all " + board.config().slots() + " slots are taken", null);
    }
    if (AUTO.equals(requestedVictim)) {
      Optional<ModuleView> idle = modules.stream().filter(ModuleView::idle)
          .min(Comparator.comparingLong(ModuleView::lastUsedMillis));
      if (idle.isPresent()) {
        return new Decision(true, idle.get().id(), "victim " + idle.get().id()
            + " chosen automatically: idle, and the least recently used", null);
      }
      ModuleView lru = modules.stream().min(Comparator.comparingLong(ModuleView::lastUsedMillis)).orElseThrow();
      return new Decision(true, lru.id(), "victim " + lru.id()
          + " chosen automatically: every module is running; it is the least recently used and is force-stopped",
          null);
    }
    if (!loaded.contains(requestedVictim)) {
      return new Decision(false, null, null, "replace_victim '" + requestedVictim + "' is not loaded on board "
          + board.board() + " (loaded: " + String.join(", ", loaded) + ")");
    }
    return new Decision(true, requestedVictim, "victim " + requestedVictim + " is replaced", null);
  }
}
