package io.wasmfleet.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.gateway.device.BoardState;
import io.wasmfleet.gateway.device.ConsoleLines;
import io.wasmfleet.gateway.device.ModuleView;
import io.wasmfleet.gateway.fleet.FleetView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host API's v2 JSON of boards ({@code boards}) and console lines ({@code console}). It
 * remembers what each board's node said of it last, to show while the board moves or its node
 * is down.
 */
final class BoardJson {

  private final ObjectMapper json;
  private final Duration stateTimeout;
  private final Map<String, BoardState> lastSeen = new ConcurrentHashMap<>();

  BoardJson(ObjectMapper json, Duration stateTimeout) {
    this.json = json;
    this.stateTimeout = stateTimeout;
  }

  /** Every placed board: described by its node, or as last seen with why it is not now. */
  ObjectNode list(List<FleetView.Placement> placements, Map<String, BoardState> states) {
    ArrayNode list = json.createArrayNode();
    for (FleetView.Placement p : placements) {
      // a board that moves may be described by its old node too: the placement says who drives it
      BoardState state = p.ref() == null ? null : states.get(p.board());
      if (state != null && p.node() != null && !p.node().equals(state.node())) {
        state = null;
      }
      if (state != null) {
        lastSeen.put(p.board(), state);
      }
      list.add(state != null ? board(state) : absent(p));
    }
    ObjectNode out = Answers.ok(placements.size() + " boards");
    out.set("boards", list);
    return out;
  }

  /** A board nobody can describe right now: where it was, and the last that was seen of it. */
  private ObjectNode absent(FleetView.Placement p) {
    BoardState last = lastSeen.get(p.board());
    ObjectNode b = last != null ? board(last) : json.createObjectNode();
    b.put("board", p.board());
    b.put("node", p.node());
    String link = p.state().equals(FleetView.UP) ? "NOT_ANSWERING" : p.state();
    b.put("link", link);
    if (!b.has("modules")) {
      b.putArray("modules");
    }
    b.put("error", switch (link) {
      case FleetView.MOVING -> "owner node " + p.node() + " is down; the board is being handed over to another node";
      case FleetView.OWNER_DOWN -> "owner node " + p.node() + " is down";
      case FleetView.STARTING -> "no node has started the board yet";
      default -> "node " + p.node() + " did not answer within " + stateTimeout.toMillis() + " ms";
    });
    return b;
  }

  private ObjectNode board(BoardState s) {
    ObjectNode b = json.createObjectNode();
    b.put("board", s.board());
    b.put("node", s.node());
    b.put("type", s.config().type());
    b.put("cpu", s.config().cpu());
    b.put("endpoint", s.config().endpoint().toString());
    b.put("link", s.link());
    b.put("simulated", s.simulated());
    b.put("slots", s.config().slots());
    ArrayNode modules = b.putArray("modules");
    for (ModuleView m : s.modules()) {
      ObjectNode mod = modules.addObject();
      mod.put("id", m.id());
      mod.put("state", m.phase());
      if (m.func() != null) {
        mod.put("func", m.func());
      }
      mod.put("wasm_bytes", m.wasmBytes());
    }
    if (s.pool() != null) {
      ObjectNode pool = b.putObject("pool");
      pool.put("total", s.pool().total());
      pool.put("used", s.pool().used());
      pool.put("free", s.pool().free());
      pool.put("highmark", s.pool().highmark());
    }
    if (s.lastError() != null) {
      b.put("error", s.lastError());
    }
    ArrayNode tags = b.putArray("tags");
    s.config().tags().forEach(tags::add);
    if (!s.reported().isEmpty()) {
      ObjectNode hello = b.putObject("hello"); // what the board's HELLO appended: board, clock_mhz, fpu, caps
      new java.util.TreeMap<>(s.reported()).forEach(hello::put);
    }
    return b;
  }

  static ObjectNode console(ConsoleLines lines) {
    ObjectNode out = Answers.ok(lines.lines().size() + " lines");
    out.put("total", lines.total());
    ArrayNode list = out.putArray("lines");
    lines.lines().forEach(list::add);
    return out;
  }
}
