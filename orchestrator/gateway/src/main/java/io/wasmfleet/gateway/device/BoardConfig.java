package io.wasmfleet.gateway.device;

import com.typesafe.config.Config;
import io.wasmfleet.gateway.CborSerializable;
import io.wasmfleet.gateway.transport.Endpoint;
import io.wasmfleet.protocol.WireValues;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A board the gateway drives: its logical name (what host requests call {@code device}), its
 * type and CPU (for AOT builds and checks), where it is, and its UART speed.
 */
public record BoardConfig(
    String id, String type, String cpu, String arch, int elfMachine, Endpoint endpoint, int baud, int slots,
    List<String> tags) implements CborSerializable {

  public BoardConfig {
    WireValues.requireModuleId("board id", id);
    tags = List.copyOf(tags);
  }

  /** Reads {@code wasmfleet.gateway.boards.<id>} against {@code wasmfleet.gateway.board-types}. */
  public static BoardConfig fromConfig(String id, Config board, Config types) {
    String type = board.getString("type");
    if (!types.hasPath(type)) {
      throw new IllegalArgumentException("board " + id + ": unknown type '" + type + "'; known: "
          + String.join(", ", new TreeSet<>(types.root().keySet())));
    }
    Config t = types.getConfig(type);
    return new BoardConfig(
        id, type, t.getString("cpu"), t.getString("arch"), t.getInt("elf-machine"),
        Endpoint.parse(board.getString("endpoint")),
        board.hasPath("baud") ? board.getInt("baud") : t.getInt("uart-baud"),
        t.getInt("slots"),
        board.hasPath("tags") ? board.getStringList("tags") : List.of());
  }

  public static List<BoardConfig> allFromConfig(Config gateway) {
    return fromSection(gateway, "boards");
  }

  /** {@code wasmfleet.gateway.network-boards}: tcp boards any node may drive. */
  public static List<BoardConfig> networkFromConfig(Config gateway) {
    List<BoardConfig> boards = fromSection(gateway, "network-boards");
    for (BoardConfig b : boards) {
      if (!b.endpoint().isTcp()) {
        throw new IllegalArgumentException("network board " + b.id() + ": endpoint " + b.endpoint()
            + " is not tcp:HOST:PORT; a serial board belongs under boards on the node it is attached to");
      }
    }
    return boards;
  }

  private static List<BoardConfig> fromSection(Config gateway, String section) {
    List<BoardConfig> boards = new ArrayList<>();
    Config all = gateway.getConfig(section);
    for (String id : new TreeSet<>(all.root().keySet())) {
      boards.add(fromConfig(id, all.getConfig("\"" + id + "\""), gateway.getConfig("board-types")));
    }
    return boards;
  }
}
