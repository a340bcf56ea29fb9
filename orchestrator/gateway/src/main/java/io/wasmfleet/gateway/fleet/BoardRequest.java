package io.wasmfleet.gateway.fleet;

import io.wasmfleet.gateway.NodeNames;
import io.wasmfleet.gateway.device.Answer;
import io.wasmfleet.gateway.device.DeviceActor;
import java.time.Duration;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * One request to a board (START, STOP, STATUS), from the moment the {@link FleetView} sent it
 * (with this actor to answer) until its one answer: Pekko's "per session child actor". It owns
 * the request's timeout and watches the board's actor on another node, so a request whose
 * board's node goes down is answered when the cluster downs that node, not at its timeout. A
 * STATUS follows its board: it changes nothing on the board, so when the board moves to another
 * node (its old actor stops, answers {@link Answer#ownerStopped}, or the fleet view finds another
 * actor driving it) it is asked again there, and the first answer wins. Nothing else is ever
 * sent twice.
 */
final class BoardRequest extends AbstractBehavior<Object> {

  /** How often a STATUS in flight checks whether another actor drives its board now. */
  static final Duration MOVE_CHECK = Duration.ofSeconds(1);
  /** The fleet view answers a Locate from memory. */
  private static final Duration LOCATE_TIMEOUT = Duration.ofSeconds(1);
  /** How many times a STATUS is asked again after its board's actor stopped (the board moved). */
  private static final int MOVES = 2;

  private enum TimedOut { INSTANCE }

  private enum MoveCheck { INSTANCE }

  private record Located(FleetView.Location location) {}

  private record LocateFailed(Throwable cause) {}

  /** {@code request}, sent to {@code board} where the fleet view found it. */
  static Behavior<Object> create(FleetView.Request request, RecipientRef<DeviceActor.Command> board,
      ActorRef<FleetView.Command> fleet) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new BoardRequest(context, timers, request, board,
        fleet)));
  }

  private final FleetView.Request request;
  private final ActorRef<FleetView.Command> fleet;
  /** Where the request went last. */
  private RecipientRef<DeviceActor.Command> latest;
  private int moves;
  /** The node of the board's actor last watched, named while it was a member. */
  private String node;

  private BoardRequest(ActorContext<Object> context, TimerScheduler<Object> timers, FleetView.Request request,
      RecipientRef<DeviceActor.Command> board, ActorRef<FleetView.Command> fleet) {
    super(context);
    this.request = request;
    this.fleet = fleet;
    this.latest = board;
    watch(board);
    timers.startSingleTimer(TimedOut.INSTANCE, request.timeout());
    if (request.follow()) {
      timers.startTimerWithFixedDelay(MoveCheck.INSTANCE, MOVE_CHECK);
    }
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(Answer.class, this::onAnswer)
        .onMessageEquals(TimedOut.INSTANCE, () -> answer(Answer.error("no answer from board " + request.boardId()
            + " within " + seconds(request.timeout()))))
        .onMessageEquals(MoveCheck.INSTANCE, this::locate)
        .onMessage(Located.class, this::onLocated)
        .onMessage(LocateFailed.class, m -> this) // the next check asks again; the timeout ends it
        .onSignal(Terminated.class, this::onTerminated)
        .build();
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private Behavior<Object> onAnswer(Answer a) {
    if (request.follow() && a.ownerStopped() && moves < MOVES) {
      moves++;
      return locate();
    }
    return answer(a);
  }

  private Behavior<Object> answer(Answer a) {
    request.replyTo().tell(a);
    return Behaviors.stopped();
  }

  private Behavior<Object> locate() {
    getContext().ask(FleetView.Location.class, fleet, LOCATE_TIMEOUT, r -> new FleetView.Locate(request.boardId(), r),
        (location, failure) -> failure == null ? new Located(location) : new LocateFailed(failure));
    return this;
  }

  /** Where the fleet view says the board is: a new place is asked too; a board gone is the answer. */
  private Behavior<Object> onLocated(Located m) {
    if (m.location() instanceof FleetView.Found found) {
      if (!found.board().equals(latest)) {
        latest = found.board();
        watch(latest);
        latest.tell(request.message().apply(getContext().getSelf().narrow()));
      }
      return this;
    }
    return answer(Answer.error(((FleetView.NotFound) m.location()).reason()));
  }

  /**
   * A board's actor stopped: its node went down, or it left. A STATUS looks for the board again;
   * anything else may or may not have reached the board, and says so.
   */
  private Behavior<Object> onTerminated(Terminated t) {
    if (request.follow()) {
      return t.getRef().equals(latest) ? locate() : this;
    }
    return answer(Answer.error("board " + request.boardId() + "'s actor on node " + node
        + " stopped while the request was in flight (the node went down or left); its outcome on the board"
        + " is unknown: ask its status"));
  }

  /**
   * Watches a board's actor on another node. One on this node needs no watch: it answers what it
   * was asked when it stops (and a watch would cost it two more system messages a request).
   * Network boards are reached through sharding, which follows them itself.
   */
  private void watch(RecipientRef<DeviceActor.Command> board) {
    if (board instanceof ActorRef<?> ref && !ref.path().address().hasLocalScope()) {
      getContext().watch(ref);
      node = nodeName(ref.path().address());
    }
  }

  private String nodeName(Address node) {
    Cluster cluster = Cluster.get(getContext().getSystem());
    for (Member m : cluster.state().getMembers()) {
      if (m.address().equals(node)) {
        return NodeNames.of(m).orElse(node.toString());
      }
    }
    return node.toString();
  }
}
