package io.wasmfleet.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.wasmfleet.gateway.GatewayNode;
import io.wasmfleet.gateway.device.BoardConfig;
import io.wasmfleet.hostapi.HostApiClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The application as {@code bin/gateway} runs it: with no boards named, the node starts the
 * embedded default's two simulated boards (found through {@code META-INF/services}) and drives
 * them over real TCP sockets; closing the node stops them.
 */
class EmbeddedDefaultTest {

  @Test
  void withNoBoardsNamedTheNodeDrivesTheTwoSimulatedBoards() throws Exception {
    try (GatewayNode node = GatewayNode.start(ConfigFactory.parseMap(Map.of("wasmfleet.gateway.api.port", 0)))) {
      assertEquals(java.util.List.of("nucleo_f446:nucleo_f446re", "nucleo_f746:nucleo_f746zg"),
          node.boards().stream().map(b -> b.id() + ":" + b.type()).toList());
      assertTrue(node.boards().stream().allMatch(b -> b.tags().contains("simulated")));
      assertEquals(2, node.embeddedBoards().boards().size());
      HostApiClient client = new HostApiClient("127.0.0.1", node.apiPort(), Duration.ofSeconds(30));
      for (BoardConfig b : node.boards()) {
        HostApiClient.Response r = client.status(b.id());
        assertTrue(r.ok() && r.detail().startsWith("STATUS_OK"), b.id() + ": " + r.error());
      }
    }
  }
}
