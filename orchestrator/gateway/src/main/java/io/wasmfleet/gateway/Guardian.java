package io.wasmfleet.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.wasmfleet.gateway.api.HostApi;
import io.wasmfleet.gateway.api.HostApiServer;
import io.wasmfleet.gateway.api.CampaignApi;
import io.wasmfleet.gateway.build.ModuleBuilder;
import io.wasmfleet.gateway.campaign.BoardOps;
import io.wasmfleet.gateway.campaign.CampaignStore;
import io.wasmfleet.gateway.campaign.Campaigns;
import io.wasmfleet.gateway.deploy.Deployments;
import io.wasmfleet.gateway.device.BoardConfig;
import io.wasmfleet.gateway.fleet.BoardDirectory;
import io.wasmfleet.gateway.device.DeviceActor;
import io.wasmfleet.gateway.fleet.FleetView;
import io.wasmfleet.gateway.fleet.NetworkBoards;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The node's top level: joins the cluster (itself, when no seed nodes are configured),
 * spawns a {@link DeviceActor} per board this node drives and the deployments parent, and
 * serves the host API. {@code ready} completes with the API's address once every local board
 * can be found through the Receptionist.
 */
public final class Guardian {

  /** The node is serving: the API's address, and the fleet page's URL (null when it is off). */
  public record Ready(String apiAddress, int apiPort, String dashboardUrl, int dashboardPort) {}

  public static Behavior<Void> create(GatewaySettings settings, List<BoardConfig> boards, List<BoardConfig> networkBoards,
      CompletableFuture<Ready> ready) {
    return Behaviors.setup(context -> {
      Cluster cluster = Cluster.get(context.getSystem());
      if (context.getSystem().settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      }
      Executor blockingIo = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("gateway-blocking-io"));
      Map<String, ActorRef<DeviceActor.Command>> local = new java.util.LinkedHashMap<>();
      for (BoardConfig board : boards) {
        local.put(board.id(), context.spawn(DeviceActor.create(board, settings.device(), blockingIo),
            BoardDirectory.actorName(board.id())));
      }
      Map<String, BoardConfig> network = networkBoards.stream().collect(Collectors.toMap(BoardConfig::id, b -> b));
      NetworkBoards.init(context.getSystem(), network, settings.device(), blockingIo);
      if (!network.isEmpty()) {
        context.spawn(NetworkBoards.keeper(List.copyOf(network.keySet()), settings.networkKeepAlive()), "network-boards");
      }
      ActorRef<FleetView.Command> fleet = context.spawn(FleetView.create(local, network.keySet()), "fleet-view");
      ActorRef<Deployments.Deploy> deployments = context.spawn(Deployments.create(settings.deployTimeout()), "deployments");
      ModuleBuilder builder = new ModuleBuilder(settings.build());
      ObjectMapper json = new ObjectMapper();
      BoardDirectory directory = new BoardDirectory(context.getSystem(), fleet, settings.api().askMargin());
      CampaignStore campaignStore = new CampaignStore(settings.campaigns().url(), settings.campaigns().user(),
          settings.campaigns().password());
      BoardOps boardOps = new BoardOps(context.getSystem(), directory, deployments, builder,
          settings.device().reply(), settings.deployTimeout(), settings.build().timeout(),
          settings.api().askMargin());
      String nodeName = NodeNames.own(context.getSystem());
      ActorRef<Campaigns.Command> campaigns = Campaigns.init(context.getSystem(), campaignStore, boardOps, nodeName,
          settings.campaigns().workDir());
      HostApi api = new HostApi(context.getSystem(), directory, deployments, builder, settings.api(), json,
          new CampaignApi(campaignStore, campaigns, json), blockingIo);
      ActorRef<HostApiServer.Command> server = context.spawn(HostApiServer.create(settings.api(), api, json), "host-api");
      io.wasmfleet.gateway.web.Dashboard dashboard = settings.dashboard().enabled()
          ? new io.wasmfleet.gateway.web.Dashboard(context.getSystem(), settings.dashboard(), api, json,
              settings.api().maxBlob())
          : null;
      org.slf4j.Logger log = context.getLog();
      // The API opens only once the node is Up and its boards are registered: no request is
      // ever told that a configured board is unknown.
      Runnable serve = () -> {
        CompletableFuture<java.net.InetSocketAddress> bound = new CompletableFuture<>();
        server.tell(new HostApiServer.Open(bound));
        java.util.concurrent.CompletionStage<java.net.InetSocketAddress> page = dashboard == null
            ? CompletableFuture.completedFuture(null) : dashboard.bind();
        bound.thenCombine(page, (address, pageAddress) -> {
          String text = address.getAddress().getHostAddress() + ":" + address.getPort();
          log.info("host API listening on {}", text);
          String url = null;
          if (pageAddress != null) {
            java.net.InetAddress a = pageAddress.getAddress();
            String host = a.isAnyLocalAddress() ? settings.dashboard().host() : a.getHostAddress();
            url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + pageAddress.getPort() + "/";
            log.info("fleet page on {}", url);
            dashboard.ready();
          }
          return new Ready(text, address.getPort(), url, pageAddress == null ? 0 : pageAddress.getPort());
        }).whenComplete((r, failure) -> {
          if (failure != null) {
            ready.completeExceptionally(failure);
          } else {
            ready.complete(r);
          }
        });
      };
      context.spawn(awaitRegistered(local.keySet(), serve), "readiness");
      return Behaviors.receive(Void.class)
          .onSignal(PostStop.class, signal -> {
            builder.close();
            return Behaviors.same();
          })
          .build();
    });
  }

  private sealed interface Readiness {}

  private record Listed(Receptionist.Listing listing) implements Readiness {}

  private record Up(SelfUp up) implements Readiness {}

  /**
   * Completes {@code ready} once this node is Up in the cluster (so the Receptionist shares
   * its boards with the other nodes) and every local board is listed, then stops.
   */
  private static Behavior<Readiness> awaitRegistered(Set<String> boards, Runnable serve) {
    return Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.subscribe(DeviceActor.ALL_BOARDS,
          context.messageAdapter(Receptionist.Listing.class, Listed::new)));
      Cluster.get(context.getSystem()).subscriptions().tell(
          Subscribe.create(context.messageAdapter(SelfUp.class, Up::new), SelfUp.class));
      return waiting(boards, false, boards.isEmpty(), serve);
    });
  }

  private static Behavior<Readiness> waiting(Set<String> boards, boolean up, boolean listed, Runnable serve) {
    if (up && listed) {
      serve.run();
      return Behaviors.stopped();
    }
    return Behaviors.receive(Readiness.class)
        .onMessage(Up.class, m -> waiting(boards, true, listed, serve))
        .onMessage(Listed.class, m -> {
          Set<String> registered = m.listing().getServiceInstances(DeviceActor.ALL_BOARDS).stream()
              .map(ref -> ref.path().name()).collect(Collectors.toSet());
          boolean all = boards.stream().allMatch(b -> registered.contains(BoardDirectory.actorName(b)));
          return waiting(boards, up, listed || all, serve);
        })
        .build();
  }

  private Guardian() {}
}
