package io.wasmfleet.gateway.fleet;

import io.wasmfleet.gateway.device.BoardConfig;
import io.wasmfleet.gateway.device.DeviceActor;
import io.wasmfleet.gateway.device.DeviceTimeouts;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Boards on the network (tcp endpoints) that any node may drive: one Cluster Sharding entity
 * per board, so when the node driving it goes down a surviving node takes the board over,
 * reconnects and re-reads STATUS. Every node lists the same {@code network-boards}.
 */
public final class NetworkBoards {

  public static final EntityTypeKey<DeviceActor.Command> TYPE = EntityTypeKey.create(DeviceActor.Command.class, "board");

  private NetworkBoards() {}

  /** Starts this node's shard region for network boards. */
  public static void init(ActorSystem<?> system, Map<String, BoardConfig> boards, DeviceTimeouts timeouts,
      Executor blockingIo) {
    ClusterSharding.get(system).init(Entity.of(TYPE, ctx -> {
      BoardConfig config = boards.get(ctx.getEntityId());
      if (config == null) {
        return unconfigured(ctx.getEntityId(), system.settings().config().getString("wasmfleet.gateway.node-name"));
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

  private static Behavior<DeviceActor.Command> reply(org.apache.pekko.actor.typed.ActorRef<DeviceActor.Answer> to,
      String error) {
    to.tell(DeviceActor.Answer.error(error));
    return Behaviors.same();
  }

  /** Pings every network board every {@code interval}, so a re-homed board starts again at once. */
  public static Behavior<Void> keeper(Iterable<String> ids, Duration interval) {
    return Behaviors.<Object>setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay("keep-alive", "tick", Duration.ZERO, interval);
      return Behaviors.receiveMessage(tick -> {
        for (String id : ids) {
          ref(context.getSystem(), id).tell(DeviceActor.KeepAlive.INSTANCE);
        }
        return Behaviors.same();
      });
    })).narrow();
  }
}
