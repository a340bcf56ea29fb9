package io.wasmfleet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.sim.BoardFarm;
import io.wasmfleet.sim.BoardSpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A gateway never tells a client that a configured board is unknown: requests sent from the
 * moment its API port accepts connections are all about boards it knows.
 */
class StartUpTest {

  @Test
  void fromTheFirstAcceptedConnectionEveryConfiguredBoardIsKnown() throws Exception {
    List<BoardSpec> specs = List.of(
        new BoardSpec("f446", "nucleo_f446re", 0, null, ConfigFactory.empty(), ConfigFactory.empty()),
        new BoardSpec("f746", "nucleo_f746zg", 0, null, ConfigFactory.empty(), ConfigFactory.empty()));
    try (BoardFarm farm = BoardFarm.start(ConfigFactory.load(), specs)) {
      for (int round = 0; round < 3; round++) {
        int port = freePort();
        Map<String, Object> config = Map.of(
            "wasmfleet.gateway.api.port", port,
            "wasmfleet.gateway.boards.f446.endpoint", farm.endpoint("f446"),
            "wasmfleet.gateway.boards.f446.type", "nucleo_f446re",
            "wasmfleet.gateway.boards.f746.endpoint", farm.endpoint("f746"),
            "wasmfleet.gateway.boards.f746.type", "nucleo_f746zg");
        CompletableFuture<GatewayNode> starting = CompletableFuture.supplyAsync(() -> {
          try {
            return GatewayNode.start(ConfigFactory.parseMap(config));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        HostApiClient client = new HostApiClient("127.0.0.1", port, Duration.ofSeconds(30));
        List<String> answers = new ArrayList<>();
        // hammer the port while the node starts: refused until it opens, then every answer is about a known board
        while (answers.size() < 6) {
          try {
            HostApiClient.Response r = client.status(answers.size() % 2 == 0 ? "f446" : "f746");
            answers.add(r.ok() ? r.detail() : "error: " + r.error());
          } catch (java.net.ConnectException notYetOpen) {
            assertTrue(!starting.isDone() || !starting.isCompletedExceptionally(), "the node failed to start");
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // poll interval
          }
        }
        try (GatewayNode node = starting.get(60, TimeUnit.SECONDS)) {
          for (String a : answers) {
            assertTrue(a.startsWith("STATUS_OK"), "round " + round + ": " + answers);
          }
          assertEquals(port, node.apiPort());
        }
      }
    }
  }

  /** The library alone carries no simulator: with no boards named, the node says what is missing. */
  @Test
  void withoutBoardsAndWithoutTheEmbeddedSimulatorTheNodeSaysWhatIsMissing() {
    IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
        () -> GatewayNode.start(ConfigFactory.parseMap(Map.of("wasmfleet.gateway.api.port", 0))).close());
    assertEquals("no boards are configured (wasmfleet.gateway.boards, network-boards or --board) and the embedded"
        + " simulator is not on the classpath: start the node with bin/gateway (the orchestrator/app module), or"
        + " name the boards it drives", e.getMessage());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
