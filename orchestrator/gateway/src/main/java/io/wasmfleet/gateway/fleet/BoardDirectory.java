package io.wasmfleet.gateway.fleet;

import io.wasmfleet.gateway.Asks;
import io.wasmfleet.gateway.device.Answer;
import io.wasmfleet.gateway.device.DeviceActor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * Finds boards by id, wherever they run, through this node's {@link FleetView} (fed by the
 * Receptionist and cluster membership; network boards through Cluster Sharding), never
 * through a static map. For the edges (the host API).
 */
public final class BoardDirectory {

  /** A request named a board that cannot be served now: unknown, or its owner node is down. */
  public static final class BoardNotAvailable extends RuntimeException {
    BoardNotAvailable(String message) {
      super(message, null, false, false);
    }
  }

  private static final String PREFIX = "board-";

  private final ActorSystem<?> system;
  private final ActorRef<FleetView.Command> fleet;
  private final Duration timeout;

  public BoardDirectory(ActorSystem<?> system, ActorRef<FleetView.Command> fleet, Duration timeout) {
    this.system = system;
    this.fleet = fleet;
    this.timeout = timeout;
  }

  /** The board, wherever it runs; fails with {@link BoardNotAvailable} naming the reason. */
  public CompletionStage<RecipientRef<DeviceActor.Command>> find(String id) {
    return Asks.<FleetView.Command, FleetView.Location>ask(fleet, r -> new FleetView.Locate(id, r), timeout,
            system.scheduler())
        .thenApply(location -> {
          if (location instanceof FleetView.Found found) {
            return found.board();
          }
          throw new CompletionException(new BoardNotAvailable(((FleetView.NotFound) location).reason()));
        });
  }

  /**
   * Sends a request to board {@code id}, wherever it is, and completes with its one answer (see
   * {@link BoardRequest}): the board's, or an error that says why there is none (unknown, its node
   * down or gone down meanwhile, no answer within {@code timeout}). {@code follow}: asked again
   * where the board moves meanwhile, for what changes nothing (STATUS).
   */
  public CompletionStage<Answer> request(String id, Function<ActorRef<Answer>, DeviceActor.Command> message,
      Duration timeout, boolean follow) {
    // the request's own actor answers at the timeout; the ask's is a backstop (and the timeout of
    // a request to a pinned board of this node, which has no such actor)
    return Asks.ask(fleet, reply -> new FleetView.Request(id, message, timeout, follow, reply),
        timeout.plus(this.timeout), system.scheduler());
  }

  /** What every board says of itself, gathered by each node's view (one round per node). */
  public CompletionStage<FleetView.BoardStates> describe(Duration within) {
    return Asks.ask(fleet, r -> new FleetView.DescribeBoards(within, r), within.plus(timeout), system.scheduler());
  }

  /**
   * STATUS of {@code boards}, each node asking its own in one round ({@code parallel} at a
   * time per node). Boards left out of the answer were not driven by a live node when asked,
   * or their node died meanwhile: ask those one at a time.
   */
  public CompletionStage<FleetView.BoardAnswers> statusOf(List<String> boards, int parallel,
      Duration perBoard) {
    return Asks.<FleetView.Command, FleetView.BoardAnswers>ask(fleet,
            r -> new FleetView.StatusOfBoards(boards, parallel, perBoard, r),
            perBoard.plusSeconds(1).plus(timeout), system.scheduler());
  }

  /** Every board of the fleet this node knows of, with where it is now. */
  public CompletionStage<List<FleetView.Placement>> list() {
    return Asks.ask(fleet, FleetView.ListBoards::new, timeout, system.scheduler());
  }

  /** Pinned DeviceActors are named {@code board-<id>}; sharded ones by their entity id. */
  public static String idOf(ActorRef<?> ref) {
    String name = java.net.URLDecoder.decode(ref.path().name(), java.nio.charset.StandardCharsets.UTF_8);
    return name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
  }

  public static String actorName(String boardId) {
    return PREFIX + boardId;
  }
}
