package io.wasmfleet.gateway.fleet;

import io.wasmfleet.gateway.NodeNames;
import io.wasmfleet.gateway.device.Answer;
import io.wasmfleet.gateway.device.BoardConfig;
import io.wasmfleet.gateway.device.DeviceActor;
import io.wasmfleet.gateway.device.DeviceTimeouts;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Boards on the network (tcp endpoints) that any node may drive: one Cluster Sharding entity
 * per board, so when the node driving it goes down a surviving node takes the board over,
 * reconnects and re-reads STATUS. Every node lists the same {@code network-boards}.
 */
public final class NetworkBoards {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(NetworkBoards.class);

  public static final EntityTypeKey<DeviceActor.Command> TYPE = EntityTypeKey.create(DeviceActor.Command.class, "board");

  private NetworkBoards() {}

  /** Starts this node's shard region for network boards. */
  public static void init(ActorSystem<?> system, Map<String, BoardConfig> boards, DeviceTimeouts timeouts,
      Executor blockingIo) {
    ClusterSharding.get(system).init(Entity.of(TYPE, ctx -> {
      BoardConfig config = boards.get(ctx.getEntityId());
      if (config == null) {
        return unconfigured(ctx.getEntityId(), NodeNames.own(system));
      }
      return DeviceActor.create(config, timeouts, blockingIo);
    }));
  }

  public static EntityRef<DeviceActor.Command> ref(ActorSystem<?> system, String boardId) {
    return ClusterSharding.get(system).entityRefFor(TYPE, boardId);
  }

  /** A board this node has no configuration for: it answers so, instead of staying silent. */
  private static Behavior<DeviceActor.Command> unconfigured(String id, String node) {
    String error = "network board " + id + " is not listed in network-boards on node " + node
        + "; every node must list the same network boards";
    return Behaviors.receive(DeviceActor.Command.class)
        .onMessage(DeviceActor.Status.class, m -> reply(m.replyTo(), error))
        .onMessage(DeviceActor.Load.class, m -> reply(m.replyTo(), error))
        .onMessage(DeviceActor.Start.class, m -> reply(m.replyTo(), error))
        .onMessage(DeviceActor.Stop.class, m -> reply(m.replyTo(), error))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private static Behavior<DeviceActor.Command> reply(org.apache.pekko.actor.typed.ActorRef<Answer> to,
      String error) {
    to.tell(Answer.error(error));
    return Behaviors.same();
  }

  /** How many slices the keeper's round is cut into: a tenth of the boards every tenth of the interval. */
  private static final int SLICES = 10;

  /**
   * Pings every network board once every {@code interval}, so a re-homed board starts again at
   * once. The round is spread over the interval (a tenth of the boards every tenth of it): a
   * burst of one message per board every interval, from every node, overflowed Artery's
   * outbound large-message queue (256) with 1,000 boards and dropped requests sent meanwhile.
   */
  public static Behavior<Void> keeper(java.util.List<String> ids, Duration interval) {
    int slices = Math.max(1, Math.min(SLICES, ids.size()));
    return Behaviors.<Object>setup(context -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer("slice", 0, Duration.ZERO);
      // A node removed from the cluster: its boards' shards can be re-homed now, so every board
      // is pinged at once (the regions hold the pings until the coordinator has placed the
      // shards) instead of waiting for the round to come by them.
      Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(
          context.messageAdapter(ClusterEvent.MemberRemoved.class, removed -> removed), ClusterEvent.MemberRemoved.class));
      return Behaviors.receiveMessage(message -> {
        if (message instanceof ClusterEvent.MemberRemoved removed) {
          log.info("node {} removed: pinging all {} network boards so its boards start on a survivor now",
              removed.member().address(), ids.size());
          ids.forEach(id -> ref(context.getSystem(), id).tell(DeviceActor.KeepAlive.INSTANCE));
          return Behaviors.same();
        }
        int slice = (Integer) message;
        for (int i = slice; i < ids.size(); i += slices) {
          ref(context.getSystem(), ids.get(i)).tell(DeviceActor.KeepAlive.INSTANCE);
        }
        timers.startSingleTimer("slice", (slice + 1) % slices, interval.dividedBy(slices));
        return Behaviors.same();
      });
    })).narrow();
  }
}
