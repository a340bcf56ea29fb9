package io.wasmfleet.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.gateway.Asks;
import io.wasmfleet.gateway.NodeNames;
import io.wasmfleet.gateway.build.BuildResult;
import io.wasmfleet.gateway.build.ModuleBuilder;
import io.wasmfleet.gateway.build.ModuleCheck;
import io.wasmfleet.gateway.deploy.DeploymentActor;
import io.wasmfleet.gateway.deploy.Deployments;
import io.wasmfleet.gateway.device.BoardState;
import io.wasmfleet.gateway.device.ConsoleLines;
import io.wasmfleet.gateway.device.DeviceActor.Answer;
import io.wasmfleet.gateway.device.DeviceActor;
import io.wasmfleet.gateway.fleet.BoardDirectory;
import io.wasmfleet.gateway.fleet.FleetView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.AskTimeoutException;

/**
 * How the host API reaches the boards, for one board ({@link HostApi}) or many ({@link FleetApi}):
 * it finds a board through the fleet view, asks it (following a board that moves to another node,
 * giving up on a node that dies), deploys through the {@link DeploymentActor}, and says every
 * failure in the API's own words ("no answer from the board within 5 s").
 */
final class BoardAccess {

  /** GetState is answered from memory: a board that takes longer is on a node that is going down. */
  static final Duration BOARD_STATE_TIMEOUT = Duration.ofSeconds(1);
  /** How often a STATUS in flight checks whether its board is now driven by another actor. */
  private static final Duration MOVE_CHECK = Duration.ofSeconds(1);
  private static final Duration UNREACHABLE_CHECK = Duration.ofMillis(500);

  private final ActorSystem<?> system;
  private final BoardDirectory directory;
  private final ActorRef<Deployments.Deploy> deployments;
  private final ApiSettings settings;
  private final BoardJson boardJson;
  private final Executor blockingIo;

  BoardAccess(ActorSystem<?> system, BoardDirectory directory, ActorRef<Deployments.Deploy> deployments,
      ApiSettings settings, BoardJson boardJson, Executor blockingIo) {
    this.system = system;
    this.directory = directory;
    this.deployments = deployments;
    this.settings = settings;
    this.boardJson = boardJson;
    this.blockingIo = blockingIo;
  }

  /** Where every board of the fleet is, from this node's fleet view (no question to any board). */
  CompletionStage<List<FleetView.Placement>> placements() {
    return within(directory.list(), settings.askMargin(), "the fleet view");
  }

  /** STATUS of {@code ids} in one round: each node asks its own boards (see {@code FleetStatus}). */
  CompletionStage<FleetView.BoardAnswers> statusOf(List<String> ids, int parallel, Duration perBoard) {
    return directory.statusOf(ids, parallel, perBoard);
  }

  CompletionStage<RecipientRef<DeviceActor.Command>> find(String id) {
    return within(directory.find(id), settings.askMargin(), "the board directory");
  }

  /** STATUS changes nothing: asked again when the board moved to another node meanwhile. */
  CompletionStage<Answer> status(String device) {
    return status(device, 3);
  }

  private CompletionStage<Answer> status(String device, int attempts) {
    return statusFollowing(device)
        .thenCompose(a -> attempts > 1 && !a.ok() && a.error().contains("moved to another node")
            ? status(device, attempts - 1) : CompletableFuture.completedFuture(a));
  }

  /**
   * Asks a board for STATUS and, while waiting, asks the fleet view every {@link #MOVE_CHECK}
   * where the board is: when another actor drives it now (it moved while the question was on
   * its way to the old one, which stopped), the question goes to that one too, and the first
   * answer wins. STATUS changes nothing on a board, so asking twice is harmless.
   */
  private CompletionStage<Answer> statusFollowing(String device) {
    Duration timeout = settings.commandTimeout(settings.statusTimeout(), Duration.ZERO);
    return find(device).thenCompose(first -> {
      CompletableFuture<Answer> result = new CompletableFuture<>();
      AtomicReference<RecipientRef<DeviceActor.Command>> latest = new AtomicReference<>(first);
      Consumer<RecipientRef<DeviceActor.Command>> askOne = board ->
          this.<Answer>ask(board, DeviceActor.Status::new, timeout).whenComplete((a, failure) -> {
            if (failure == null) {
              result.complete(a);
            } else if (latest.get().equals(board)) {
              result.completeExceptionally(failure); // the last place asked has failed: that is the outcome
            }
          });
      Cancellable check = system.scheduler().scheduleAtFixedRate(MOVE_CHECK, MOVE_CHECK,
          () -> find(device).thenAccept(now -> {
            RecipientRef<DeviceActor.Command> before = latest.get();
            if (!result.isDone() && !now.equals(before) && latest.compareAndSet(before, now)) {
              askOne.accept(now);
            }
          }), system.executionContext());
      result.whenComplete((a, failure) -> check.cancel());
      askOne.accept(first);
      return result;
    });
  }

  /** START, answered with START_OK, or with the job's RESULT when {@code wait}. */
  CompletionStage<Answer> start(String device, String moduleId, String func, String args, boolean wait,
      Duration resultTimeout) {
    Duration timeout = settings.commandTimeout(settings.replyTimeout(), wait ? resultTimeout : Duration.ZERO);
    return find(device).thenCompose(board -> this.<Answer>ask(board,
        reply -> new DeviceActor.Start(moduleId, func, args, wait, resultTimeout, reply), timeout));
  }

  /** STOP, answered with the job's RESULT. */
  CompletionStage<Answer> stop(String device, String moduleId, Duration resultTimeout) {
    Duration timeout = settings.commandTimeout(settings.replyTimeout(), resultTimeout);
    return find(device).thenCompose(board -> this.<Answer>ask(board,
        reply -> new DeviceActor.Stop(moduleId, resultTimeout, reply), timeout));
  }

  CompletionStage<ConsoleLines> console(String device) {
    return find(device).thenCompose(board -> within(Asks.ask(board, DeviceActor.GetConsole::new,
        settings.askMargin(), system.scheduler()), settings.askMargin(), "board " + device));
  }

  /**
   * Every board of the fleet, at every moment: a board whose node answers shows its state; a
   * network board being handed over shows MOVING with its last owner, a pinned board of a dead
   * node OWNER_DOWN, each with what was last seen of it.
   */
  CompletionStage<ObjectNode> boards() {
    return boards(BOARD_STATE_TIMEOUT);
  }

  /** {@link #boards}, each board given {@code wait} to describe itself (a live view waits less). */
  CompletionStage<ObjectNode> boards(Duration wait) {
    // a node that does not describe its boards in time: they are listed with what was last seen of them
    CompletionStage<Map<String, BoardState>> described = within(directory.describe(wait),
        wait.plus(settings.askMargin()), "the fleet view")
        .handle((d, failure) -> failure == null ? d.states() : Map.<String, BoardState>of());
    return placements().thenCombine(described, boardJson::list);
  }

  /** {@link #boards}, waited for (a campaign's own thread only). */
  ObjectNode boardsNow() {
    return await(boards(), settings.askMargin().plus(BOARD_STATE_TIMEOUT), "the fleet view");
  }

  /**
   * What the gateway knows of a board. A network board being handed over is waited for, up to
   * the deploy timeout: a message sent to its old node just before it died is lost, so the
   * question (which changes nothing) is asked again every {@link #BOARD_STATE_TIMEOUT}.
   */
  CompletionStage<BoardState> state(RecipientRef<DeviceActor.Command> board) {
    return state(board, System.nanoTime() + settings.deployTimeout().toNanos());
  }

  private CompletionStage<BoardState> state(RecipientRef<DeviceActor.Command> board, long deadline) {
    return within(Asks.ask(board, DeviceActor.GetState::new, BOARD_STATE_TIMEOUT, system.scheduler()),
        BOARD_STATE_TIMEOUT, "the board")
        .handle((state, failure) -> failure == null || board instanceof ActorRef<?> || System.nanoTime() > deadline
            ? settle(state, failure) : state(board, deadline))
        .thenCompose(next -> next);
  }

  /**
   * Loads a module through the DeploymentActor (victim choice, replace, rollback), once it passes
   * the check against the board ({@code name}: the file it came as). The check parses the whole
   * module (Chicory), so it runs on the blocking-I/O dispatcher; a module the board cannot take
   * is answered with why.
   */
  CompletionStage<ObjectNode> deploy(RecipientRef<DeviceActor.Command> board, BoardState state, String name,
      DeploymentActor.Request request) {
    return CompletableFuture.supplyAsync(() -> ModuleCheck.problem(request.payload(), name, state.config()), blockingIo)
        .thenCompose(problem -> problem.isPresent()
            ? CompletableFuture.completedFuture(Answers.error(problem.get()))
            : deploy(board, request));
  }

  private CompletionStage<ObjectNode> deploy(RecipientRef<DeviceActor.Command> board, DeploymentActor.Request request) {
    Duration timeout = settings.deployTimeout().plus(settings.askMargin());
    return within(Asks.<Deployments.Deploy, DeploymentActor.Deployed>ask(
        deployments, reply -> new Deployments.Deploy(board, request, reply), timeout, system.scheduler()),
        timeout, "the deployment").thenApply(deployed -> {
          ObjectNode out = Answers.of(deployed.answer());
          if (deployed.victim() != null) {
            out.put("victim", deployed.victim());
          }
          if (deployed.decision() != null) {
            out.put("decision", deployed.decision());
          }
          return out;
        });
  }

  /** A module built for a board, within the build timeout (a build shared with others is not cut for them). */
  CompletionStage<BuildResult> build(ModuleBuilder builder, byte[] source, String name, boolean aot,
      ModuleBuilder.Target target) {
    Duration timeout = settings.buildTimeout().plus(settings.askMargin());
    return within(builder.build(source, name, aot, target).toCompletableFuture().copy()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS), timeout, "the build");
  }

  private static <T> CompletionStage<T> settle(T value, Throwable failure) {
    return failure == null ? CompletableFuture.completedFuture(value) : CompletableFuture.failedFuture(failure);
  }

  /**
   * Asks a board. One on another node is waited for, but not for longer than that node lives:
   * once the cluster marks it unreachable the request is answered, its outcome said to be unknown.
   */
  <T> CompletionStage<T> ask(RecipientRef<DeviceActor.Command> board,
      Function<ActorRef<T>, DeviceActor.Command> message, Duration timeout) {
    CompletionStage<T> answer = within(Asks.ask(board, message, timeout, system.scheduler()), timeout, "the board");
    if (!(board instanceof ActorRef<?> ref) || ref.path().address().hasLocalScope()) {
      return answer;
    }
    Address node = ref.path().address();
    CompletableFuture<T> result = new CompletableFuture<>();
    Cancellable watch = system.scheduler().scheduleAtFixedRate(UNREACHABLE_CHECK,
        UNREACHABLE_CHECK, () -> unreachable(node).ifPresent(name -> result.completeExceptionally(new ApiError(
            "node " + name + ", which drives the board, went down while the request was in flight;"
                + " its outcome on the board is unknown"))), system.executionContext());
    answer.whenComplete((a, failure) -> {
      watch.cancel();
      if (failure == null) {
        result.complete(a);
      } else {
        result.completeExceptionally(failure);
      }
    });
    result.whenComplete((a, failure) -> watch.cancel());
    return result;
  }

  /** The name of {@code node} when the cluster sees it unreachable. */
  private Optional<String> unreachable(Address node) {
    return Cluster.get(system).state().getUnreachable().stream()
        .filter(m -> m.address().equals(node)).findFirst()
        .map(m -> NodeNames.of(m).orElse(node.toString()));
  }

  /**
   * {@code stage} (an ask, which times out on its own after {@code timeout}), failing with the
   * API's own words: "no answer from {@code what} within N s", a board's unavailability, ...
   */
  static <T> CompletionStage<T> within(CompletionStage<T> stage, Duration timeout, String what) {
    CompletableFuture<T> result = new CompletableFuture<>();
    stage.whenComplete((value, failure) -> {
      if (failure == null) {
        result.complete(value);
      } else {
        result.completeExceptionally(apiError(failure, timeout, what));
      }
    });
    return result;
  }

  /** {@code stage} waited for (a campaign's own thread only), failing as {@link #within} does. */
  private static <T> T await(CompletionStage<T> stage, Duration timeout, String what) {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new ApiError("no answer from " + what + " within " + timeout.toSeconds() + " s");
    } catch (ExecutionException | CompletionException e) {
      throw apiError(e.getCause(), timeout, what);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError("interrupted");
    }
  }

  private static ApiError apiError(Throwable failure, Duration timeout, String what) {
    Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
    if (cause instanceof ApiError e) {
      return e;
    }
    if (cause instanceof BoardDirectory.BoardNotAvailable) {
      return new ApiError(cause.getMessage());
    }
    if (cause instanceof TimeoutException || cause instanceof AskTimeoutException) {
      return new ApiError("no answer from " + what + " within " + timeout.toSeconds() + " s");
    }
    return new ApiError(what + " failed: " + cause);
  }
}
