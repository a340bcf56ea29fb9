package io.wasmfleet.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.wasmfleet.gateway.EmbeddedBoards;
import io.wasmfleet.sim.BoardFarm;
import io.wasmfleet.sim.BoardSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded default's boards: the simulator's boards of
 * {@code wasmfleet.gateway.embedded-simulator.boards}, in-process on free 127.0.0.1 ports.
 * Found by the gateway through {@code META-INF/services}.
 */
public final class SimulatedBoards implements EmbeddedBoards {

  @Override
  public Started start(Config config) throws IOException {
    List<BoardSpec> specs = new ArrayList<>();
    for (Config c : config.getConfigList("wasmfleet.gateway.embedded-simulator.boards")) {
      specs.add(new BoardSpec(c.getString("id"), c.getString("profile"), 0, null,
          c.hasPath("profile-overrides") ? c.getConfig("profile-overrides") : ConfigFactory.empty(),
          c.hasPath("faults") ? c.getConfig("faults") : ConfigFactory.empty()));
    }
    BoardFarm farm = BoardFarm.start(config, specs);
    List<Board> boards = farm.boards().stream()
        .map(r -> new Board(r.board().id(), r.board().profile().name(), r.endpoint())).toList();
    return new Started() {
      @Override
      public List<Board> boards() {
        return boards;
      }

      @Override
      public void close() {
        farm.close();
      }
    };
  }
}
