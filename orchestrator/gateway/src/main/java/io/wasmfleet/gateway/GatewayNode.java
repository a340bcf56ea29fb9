package io.wasmfleet.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.wasmfleet.gateway.device.BoardConfig;
import io.wasmfleet.gateway.transport.Endpoint;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A running gateway node: its actor system, its API address, and (on the embedded default)
 * the simulated boards it started in-process. Used by {@code bin/gateway}, {@code bin/demo}
 * and the tests.
 */
public final class GatewayNode implements AutoCloseable {

  private final ActorSystem<Void> system;
  private final Guardian.Ready ready;
  private final List<BoardConfig> boards;
  private final EmbeddedBoards.Started embedded;

  private GatewayNode(ActorSystem<Void> system, Guardian.Ready ready, List<BoardConfig> boards,
      EmbeddedBoards.Started embedded) {
    this.system = system;
    this.ready = ready;
    this.boards = boards;
    this.embedded = embedded;
  }

  /**
   * Starts a node from {@code config} (resolved, with the defaults as fallback). With no
   * boards under {@code wasmfleet.gateway.boards}, it first starts the simulated boards of
   * {@code wasmfleet.gateway.embedded-simulator} on free 127.0.0.1 ports, through the
   * {@link EmbeddedBoards} on the classpath (the application module's); without one it says so.
   */
  public static GatewayNode start(Config config) throws IOException, InterruptedException {
    Config full = withNodeRole(config.withFallback(ConfigFactory.load()).resolve());
    GatewaySettings settings = GatewaySettings.fromConfig(full);
    List<BoardConfig> boards = BoardConfig.allFromConfig(full.getConfig("wasmfleet.gateway"));
    List<BoardConfig> network = BoardConfig.networkFromConfig(full.getConfig("wasmfleet.gateway"));
    EmbeddedBoards.Started farm = null;
    if (boards.isEmpty() && network.isEmpty()) {
      farm = startEmbedded(full);
      boards = embeddedBoards(full, farm);
    }
    CompletableFuture<Guardian.Ready> ready = new CompletableFuture<>();
    ActorSystem<Void> system = ActorSystem.create(Guardian.create(settings, boards, network, ready), "wasmfleet", full);
    try {
      Guardian.Ready r = ready.get(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS);
      List<BoardConfig> all = new ArrayList<>(boards);
      all.addAll(network);
      return new GatewayNode(system, r, all, farm);
    } catch (ExecutionException | TimeoutException e) {
      system.terminate();
      if (farm != null) {
        farm.close();
      }
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IOException(cause.getMessage(), cause);
    }
  }

  /** The node's name travels as a cluster role ({@code node-<name>}), so peers can name an owner. */
  private static Config withNodeRole(Config full) {
    String name = full.getString("wasmfleet.gateway.node-name");
    java.util.List<String> roles = new ArrayList<>(full.getStringList("pekko.cluster.roles"));
    roles.add(NodeNames.role(name));
    return ConfigFactory.parseMap(java.util.Map.of("pekko.cluster.roles", roles)).withFallback(full);
  }

  private static EmbeddedBoards.Started startEmbedded(Config full) throws IOException {
    EmbeddedBoards simulator = ServiceLoader.load(EmbeddedBoards.class).findFirst().orElseThrow(() -> new IOException(
        "no boards are configured (wasmfleet.gateway.boards, network-boards or --board) and the embedded"
            + " simulator is not on the classpath: start the node with bin/gateway (the orchestrator/app"
            + " module), or name the boards it drives"));
    return simulator.start(full);
  }

  private static List<BoardConfig> embeddedBoards(Config full, EmbeddedBoards.Started farm) {
    Config types = full.getConfig("wasmfleet.gateway.board-types");
    List<BoardConfig> boards = new ArrayList<>();
    for (EmbeddedBoards.Board b : farm.boards()) {
      Config t = types.getConfig(b.profile());
      boards.add(new BoardConfig(b.id(), b.profile(), t.getString("cpu"), t.getString("arch"), t.getInt("elf-machine"),
          Endpoint.parse(b.endpoint()), t.getInt("uart-baud"), t.getInt("slots"), List.of("simulated")));
    }
    return boards;
  }

  public String apiAddress() {
    return ready.apiAddress();
  }

  public int apiPort() {
    return ready.apiPort();
  }

  /** The fleet page's URL ({@code http://host:port/}), or null when the page is off. */
  public String dashboardUrl() {
    return ready.dashboardUrl();
  }

  public int dashboardPort() {
    return ready.dashboardPort();
  }

  public List<BoardConfig> boards() {
    return boards;
  }

  /** The in-process simulated boards, or null when the node drives configured boards. */
  public EmbeddedBoards.Started embeddedBoards() {
    return embedded;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public String nodeName() {
    return NodeNames.own(system);
  }

  public String clusterAddress() {
    return system.address().toString();
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // terminating anyway
    }
    if (embedded != null) {
      embedded.close();
    }
  }
}
