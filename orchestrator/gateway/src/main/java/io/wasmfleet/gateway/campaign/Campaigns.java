package io.wasmfleet.gateway.campaign;

import io.wasmfleet.gateway.CborSerializable;
import io.wasmfleet.gateway.Failures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The fleet's campaign runner: one per cluster (a cluster singleton on the oldest node), so a
 * campaign belongs to the cluster, not to the node or the client that asked for it. It runs
 * the stored campaigns one after another, oldest first (two campaigns on one board would
 * measure each other). The store is its memory: when its node dies the singleton starts on a
 * survivor, finds the campaign still RUNNING and resumes it from what is stored.
 */
public final class Campaigns {

  public sealed interface Command {}

  /** A campaign was stored: look at the store now rather than at the next scan. */
  public enum Kick implements Command, CborSerializable { INSTANCE }

  private enum Scan implements Command { INSTANCE }

  /** The singleton hands over (its node leaves): stop; the runs in flight are not stored. */
  private enum Stop implements Command { INSTANCE }

  private record Ended(String id, Throwable failure) implements Command {}

  /** How often the store is looked at for campaigns to run. */
  static final Duration SCAN = Duration.ofSeconds(2);

  /** Starts the singleton (or its proxy, on every node but the one that runs it). */
  public static ActorRef<Command> init(ActorSystem<?> system, CampaignStore store, BoardOps ops, String node,
      Path workDir) {
    return ClusterSingleton.get(system).init(SingletonActor.of(create(store, ops, node, workDir), "campaigns")
        .withProps(DispatcherSelector.fromConfig("gateway-blocking-io"))
        .withStopMessage(Stop.INSTANCE));
  }

  static Behavior<Command> create(CampaignStore store, BoardOps ops, String node, Path workDir) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Scan.INSTANCE, SCAN);
      context.getSelf().tell(Scan.INSTANCE);
      context.getLog().info("campaigns run on this node ({}); store {}", node, store.url());
      return new Campaigns(context, store, ops, node, workDir).idle();
    }));
  }

  private final ActorContext<Command> context;
  private final CampaignStore store;
  private final BoardOps ops;
  private final String node;
  private final Path workDir;

  private Campaigns(ActorContext<Command> context, CampaignStore store, BoardOps ops, String node, Path workDir) {
    this.context = context;
    this.store = store;
    this.ops = ops;
    this.node = node;
    this.workDir = workDir;
  }

  private Behavior<Command> idle() {
    return Behaviors.receive(Command.class)
        .onMessage(Kick.class, m -> next())
        .onMessage(Scan.class, m -> next())
        .onMessage(Ended.class, m -> Behaviors.same())
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .build();
  }

  /** Starts the oldest unfinished campaign, if any. */
  private Behavior<Command> next() {
    List<String> unfinished;
    try {
      unfinished = store.unfinished();
    } catch (RuntimeException e) {
      context.getLog().warn("campaigns: cannot read the store: {}", e.getMessage());
      return Behaviors.same();
    }
    if (unfinished.isEmpty()) {
      return Behaviors.same();
    }
    String id = unfinished.get(0);
    boolean resumed = store.claim(id, node);
    context.getLog().info("campaign {}: {} on {}", id, resumed ? "resumed from what is stored" : "started", node);
    CampaignRunner runner = new CampaignRunner(id, store, ops, node, workDir);
    ActorRef<Command> self = context.getSelf();
    Thread thread = new Thread(() -> {
      Throwable failure = null;
      try {
        runner.run();
      } catch (InterruptedException e) {
        failure = new java.util.concurrent.CancellationException("stopped");
      } catch (RuntimeException e) {
        failure = e;
      }
      self.tell(new Ended(id, failure));
    }, "campaign-" + id);
    thread.setDaemon(true);
    thread.start();
    return running(id, runner);
  }

  private Behavior<Command> running(String id, CampaignRunner runner) {
    return Behaviors.receive(Command.class)
        .onMessage(Kick.class, m -> Behaviors.same())
        .onMessage(Scan.class, m -> Behaviors.same())
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .onMessage(Ended.class, m -> {
          if (m.failure() == null) {
            store.finish(id, CampaignStore.DONE, null);
            context.getLog().info("campaign {}: done", id);
          } else if (!(Failures.cause(m.failure()) instanceof java.util.concurrent.CancellationException)) {
            context.getLog().error("campaign {}: failed", id, m.failure());
            store.finish(id, CampaignStore.FAILED, "the campaign stopped: " + Failures.cause(m.failure()));
          }
          context.getSelf().tell(Scan.INSTANCE);
          return idle();
        })
        .onSignal(PostStop.class, s -> {
          runner.cancel(); // the node leaves: the next owner resumes from the store
          return Behaviors.same();
        })
        .build();
  }
}
