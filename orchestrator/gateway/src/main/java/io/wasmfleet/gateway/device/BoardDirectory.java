package io.wasmfleet.gateway.device;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * Finds boards by id through the Receptionist, never through a local map, so a board on any
 * cluster node is found the same way. For the edges (the host API); actors ask the
 * Receptionist themselves.
 */
public final class BoardDirectory {

  /** A request named a board nobody drives. */
  public static final class UnknownBoard extends RuntimeException {
    UnknownBoard(String message) {
      super(message, null, false, false);
    }
  }

  private static final String PREFIX = "board-";

  private final ActorSystem<?> system;
  private final Duration timeout;

  public BoardDirectory(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
  }

  public CompletionStage<ActorRef<DeviceActor.Command>> find(String id) {
    return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
            r -> Receptionist.find(DeviceActor.key(id), r), timeout, system.scheduler())
        .thenCompose(listing -> {
          var refs = listing.getServiceInstances(DeviceActor.key(id));
          if (!refs.isEmpty()) {
            return CompletableFuture.completedFuture(refs.iterator().next());
          }
          return knownIds().thenApply(known -> {
            throw new CompletionException(new UnknownBoard("device '" + id + "' is not known; known: "
                + (known.isEmpty() ? "none" : String.join(", ", known))));
          });
        });
  }

  /** The ids of every board registered anywhere in the cluster, sorted. */
  public CompletionStage<List<String>> knownIds() {
    return all().thenApply(refs -> refs.stream().map(BoardDirectory::idOf).sorted().distinct().toList());
  }

  public CompletionStage<List<ActorRef<DeviceActor.Command>>> all() {
    return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
            r -> Receptionist.find(DeviceActor.ALL_BOARDS, r), timeout, system.scheduler())
        .thenApply(listing -> List.copyOf(listing.getServiceInstances(DeviceActor.ALL_BOARDS)));
  }

  /** DeviceActors are named {@code board-<id>}. */
  static String idOf(ActorRef<?> ref) {
    String name = ref.path().name();
    return name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
  }

  public static String actorName(String boardId) {
    return PREFIX + boardId;
  }
}
