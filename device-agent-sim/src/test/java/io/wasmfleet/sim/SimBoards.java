package io.wasmfleet.sim;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.wasmfleet.sim.board.SimulatedBoard;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Starts simulated boards for tests: in-process, each on its own ephemeral TCP port. */
final class SimBoards {

  private SimBoards() {}

  /** One board named {@code board-under-test}. */
  static Started start(String profile, Map<String, String> overrides) throws Exception {
    return start(profile, overrides, Map.of());
  }

  static Started start(String profile, Map<String, String> overrides, Map<String, String> simSettings)
      throws Exception {
    Config config = ConfigFactory.parseMap(prefixed(simSettings)).withFallback(ConfigFactory.load());
    BoardSpec spec = new BoardSpec("board-under-test", profile, 0, null,
        ConfigFactory.parseMap(overrides), ConfigFactory.empty());
    return new Started(BoardFarm.start(config, List.of(spec)), "board-under-test");
  }

  /**
   * Probes SIM_INFO over the wire until {@code moduleId} has toggled at least {@code atLeast}
   * times; fails after {@link WireClient#WAIT}.
   */
  static long awaitToggles(WireClient wire, String moduleId, long atLeast) throws Exception {
    Pattern p = Pattern.compile("(?:^|[\",])" + Pattern.quote(moduleId) + ":(\\d+)");
    String info = awaitInfo(wire, moduleId + " toggled " + atLeast + " times", line -> {
      Matcher m = p.matcher(line);
      return m.find() && Long.parseLong(m.group(1)) >= atLeast;
    });
    Matcher m = p.matcher(info);
    m.find();
    return Long.parseLong(m.group(1));
  }

  /** Probes SIM_INFO until its reply contains {@code text}. */
  static String awaitInfo(WireClient wire, String text) throws Exception {
    return awaitInfo(wire, text, line -> line.contains(text));
  }

  private static String awaitInfo(WireClient wire, String what, Predicate<String> done) throws Exception {
    long deadline = System.nanoTime() + WireClient.WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      wire.send("SIM_INFO");
      String line = wire.nextLine();
      while (!line.startsWith("SIM_OK")) {
        line = wire.nextLine();
      }
      if (done.test(line)) {
        return line;
      }
    }
    throw new AssertionError("SIM_INFO never showed " + what + " within " + WireClient.WAIT);
  }

  private static Map<String, Object> prefixed(Map<String, String> settings) {
    Map<String, Object> out = new java.util.HashMap<>();
    settings.forEach((k, v) -> out.put("wasmfleet.sim." + k, v));
    return out;
  }

  /** A started board of a farm; closing it closes the farm. */
  record Started(BoardFarm farm, String id) implements WireConformanceSuite.BoardUnderTest {

    SimulatedBoard board() {
      return farm.board(id);
    }

    int port() {
      String endpoint = farm.endpoint(id);
      return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    @Override
    public WireClient connect() throws Exception {
      return WireClient.tcp("127.0.0.1", port());
    }

    @Override
    public String deviceId() {
      return id;
    }

    @Override
    public void close() {
      farm.close();
    }
  }
}
