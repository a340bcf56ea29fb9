package io.wasmfleet.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.gateway.Asks;
import io.wasmfleet.gateway.Failures;
import io.wasmfleet.gateway.build.BuildResult;
import io.wasmfleet.gateway.build.ModuleBuilder;
import io.wasmfleet.gateway.build.ModuleCheck;
import io.wasmfleet.gateway.deploy.DeploymentActor;
import io.wasmfleet.gateway.deploy.Deployments;
import io.wasmfleet.gateway.device.Answer;
import io.wasmfleet.gateway.device.BoardState;
import io.wasmfleet.gateway.device.ConsoleLines;
import io.wasmfleet.gateway.device.DeviceActor;
import io.wasmfleet.gateway.fleet.BoardDirectory;
import io.wasmfleet.gateway.fleet.FleetView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
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

  /**
   * STATUS. It changes nothing on a board, so it follows a board that moves to another node
   * while it is asked: the first answer wins (see {@code BoardRequest}).
   */
  CompletionStage<Answer> status(String device) {
    return request(device, DeviceActor.Status::new, settings.commandTimeout(settings.statusTimeout(), Duration.ZERO),
        true);
  }

  /** START, answered with START_OK, or with the job's RESULT when {@code wait}. */
  CompletionStage<Answer> start(String device, String moduleId, String func, String args, boolean wait,
      Duration resultTimeout) {
    return request(device, reply -> new DeviceActor.Start(moduleId, func, args, wait, resultTimeout, reply),
        settings.commandTimeout(settings.replyTimeout(), wait ? resultTimeout : Duration.ZERO), false);
  }

  /** STOP, answered with the job's RESULT. */
  CompletionStage<Answer> stop(String device, String moduleId, Duration resultTimeout) {
    return request(device, reply -> new DeviceActor.Stop(moduleId, resultTimeout, reply),
        settings.commandTimeout(settings.replyTimeout(), resultTimeout), false);
  }

  /**
   * A request to a board, through a per-request actor that owns its timeout and watches the
   * board: one on a node that goes down is answered once the cluster downs that node.
   */
  private CompletionStage<Answer> request(String device, Function<ActorRef<Answer>, DeviceActor.Command> message,
      Duration timeout, boolean follow) {
    return within(directory.request(device, message, timeout, follow), timeout, "board " + device);
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
    Throwable cause = Failures.cause(failure);
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
