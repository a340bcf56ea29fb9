package io.wasmfleet.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.sim.BoardFarm;
import io.wasmfleet.sim.BoardSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real gateway node (API on a free 127.0.0.1 port, cluster on a free port) driving real
 * simulated boards over TCP, and a host API client for it.
 */
final class GatewayFixture implements AutoCloseable {

  final BoardFarm farm;
  final GatewayNode node;
  final HostApiClient client;

  private GatewayFixture(BoardFarm farm, GatewayNode node) {
    this.farm = farm;
    this.node = node;
    this.client = new HostApiClient("127.0.0.1", node.apiPort(), Duration.ofSeconds(60));
  }

  /** A board for the farm: {@code id}, its sim profile, profile overrides and faults. */
  record Board(String id, String profile, Map<String, Object> overrides, Map<String, Object> faults) {
    static Board of(String id, String profile) {
      return new Board(id, profile, Map.of(), Map.of());
    }
  }

  static GatewayFixture start(List<Board> boards, Map<String, Object> gatewaySettings) throws Exception {
    List<BoardSpec> specs = new ArrayList<>();
    for (Board b : boards) {
      specs.add(new BoardSpec(b.id(), b.profile(), 0, null, ConfigFactory.parseMap(b.overrides()),
          ConfigFactory.parseMap(b.faults())));
    }
    BoardFarm farm = BoardFarm.start(ConfigFactory.load(), specs);
    try {
      Map<String, Object> settings = new LinkedHashMap<>(gatewaySettings);
      settings.put("wasmfleet.gateway.api.port", 0);
      settings.putIfAbsent("wasmfleet.gateway.build.cache-dir",
          System.getProperty("java.io.tmpdir") + "/wasmfleet-test-cache-" + ProcessHandle.current().pid());
      Config boardsConfig = ConfigFactory.empty();
      for (Board b : boards) {
        Map<String, Object> board = new HashMap<>();
        board.put("endpoint", farm.endpoint(b.id()));
        board.put("type", b.profile());
        board.put("tags", List.of("test", b.profile()));
        boardsConfig = boardsConfig.withFallback(ConfigFactory.parseMap(Map.of("wasmfleet.gateway.boards." + b.id(), board)));
      }
      Config config = ConfigFactory.parseMap(settings).withFallback(boardsConfig);
      return new GatewayFixture(farm, GatewayNode.start(config));
    } catch (Exception e) {
      farm.close();
      throw e;
    }
  }

  @Override
  public void close() {
    node.close();
    farm.close();
  }
}
