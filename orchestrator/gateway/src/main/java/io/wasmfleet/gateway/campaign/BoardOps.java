package io.wasmfleet.gateway.campaign;

import io.wasmfleet.gateway.Asks;
import io.wasmfleet.gateway.Failures;
import io.wasmfleet.gateway.build.BuildResult;
import io.wasmfleet.gateway.build.ModuleBuilder;
import io.wasmfleet.gateway.deploy.DeploymentActor;
import io.wasmfleet.gateway.deploy.Deployments;
import io.wasmfleet.gateway.device.Answer;
import io.wasmfleet.gateway.device.BoardState;
import io.wasmfleet.gateway.device.DeviceActor;
import io.wasmfleet.gateway.fleet.BoardDirectory;
import io.wasmfleet.protocol.DeviceLine;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * What a campaign asks of a board, one step at a time from the campaign's own thread: the
 * board's state, STATUS, a LOAD through the deployments, a START that waits for its RESULT.
 * Each step fails with a {@link StepFailed} that names the board and what went wrong.
 */
public final class BoardOps {

  /** A step did not succeed; the message is what a report shows. */
  public static final class StepFailed extends Exception {
    public StepFailed(String message) {
      super(message);
    }
  }

  private static final Duration STATE_TIMEOUT = Duration.ofSeconds(1);

  private final ActorSystem<?> system;
  private final BoardDirectory directory;
  private final ActorRef<Deployments.Deploy> deployments;
  private final ModuleBuilder builder;
  private final Duration replyTimeout;
  private final Duration deployTimeout;
  private final Duration buildTimeout;
  private final Duration margin;

  public BoardOps(ActorSystem<?> system, BoardDirectory directory, ActorRef<Deployments.Deploy> deployments,
      ModuleBuilder builder, Duration replyTimeout, Duration deployTimeout, Duration buildTimeout, Duration margin) {
    this.system = system;
    this.directory = directory;
    this.deployments = deployments;
    this.builder = builder;
    this.replyTimeout = replyTimeout;
    this.deployTimeout = deployTimeout;
    this.buildTimeout = buildTimeout;
    this.margin = margin;
  }

  /**
   * The board and what the gateway knows of it. A network board being handed over to another
   * node is waited for, up to the deploy timeout.
   */
  public Located locate(String board) throws StepFailed, InterruptedException {
    long deadline = System.nanoTime() + deployTimeout.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      try {
        RecipientRef<DeviceActor.Command> ref = await(directory.find(board), margin, "the board directory");
        BoardState state = await(Asks.ask(ref, DeviceActor.GetState::new, STATE_TIMEOUT, system.scheduler()),
            STATE_TIMEOUT, "board " + board);
        return new Located(ref, state);
      } catch (StepFailed e) {
        last = e.getMessage();
        Thread.sleep(STATE_TIMEOUT.toMillis()); // the board is moving: ask again (a poll, not a synchronisation)
      }
    }
    throw new StepFailed(last == null ? "board " + board + " not found" : last);
  }

  /** A board found: where to send, and its state when found. */
  public record Located(RecipientRef<DeviceActor.Command> ref, BoardState state) {}

  /** STATUS: the board's own STATUS_OK. */
  public DeviceLine.StatusOk status(Located board) throws StepFailed, InterruptedException {
    Duration timeout = replyTimeout.multipliedBy(4);
    Answer a = await(directory.request(board.state().board(), DeviceActor.Status::new, timeout, true),
        timeout.plus(margin), "board " + board.state().board());
    if (!a.ok()) {
      throw new StepFailed("STATUS: " + a.error());
    }
    if (DeviceLine.parse(a.detail()) instanceof DeviceLine.StatusOk ok) {
      return ok;
    }
    throw new StepFailed("STATUS: unexpected answer " + a.detail());
  }

  /** LOAD, replacing the module of the same id in place. */
  public void load(Located board, String moduleId, byte[] payload, boolean simCompiled)
      throws StepFailed, InterruptedException {
    DeploymentActor.Request request = new DeploymentActor.Request(moduleId, payload, true, null, simCompiled, false);
    Duration timeout = deployTimeout.plus(margin);
    DeploymentActor.Deployed d = await(Asks.<Deployments.Deploy, DeploymentActor.Deployed>ask(deployments,
        reply -> new Deployments.Deploy(board.ref(), request, reply), timeout, system.scheduler()), timeout,
        "the deployment");
    if (!d.answer().ok()) {
      throw new StepFailed("LOAD " + moduleId + " (" + payload.length + " bytes): " + d.answer().error());
    }
  }

  /** START with {@code args}, waiting for the RESULT; only {@code status=OK} succeeds. */
  public DeviceLine.Result run(Located board, String moduleId, String func, String args, Duration resultTimeout)
      throws StepFailed, InterruptedException {
    Duration timeout = replyTimeout.multipliedBy(5).plus(resultTimeout);
    Answer a = await(directory.request(board.state().board(), reply -> new DeviceActor.Start(moduleId,
        func, args, true, resultTimeout, reply), timeout, false), timeout.plus(margin), "board " + board.state().board());
    String what = "START " + func + (args == null ? "" : "(" + args + ")");
    if (!a.ok()) {
      throw new StepFailed(what + ": " + a.error());
    }
    if (DeviceLine.parse(a.detail()) instanceof DeviceLine.Result r && r.status().equals(DeviceLine.Result.OK)) {
      return r;
    }
    throw new StepFailed(what + ": " + a.detail());
  }

  /** The module compiled by wamrc for the board's CPU. */
  public byte[] aot(byte[] wasm, String name, BoardState state) throws StepFailed, InterruptedException {
    BuildResult built = await(builder.aot(wasm, name, new ModuleBuilder.Target(state.config().cpu(),
        state.config().arch())), buildTimeout.plus(margin), "wamrc");
    if (!built.ok()) {
      throw new StepFailed("AOT for " + state.config().cpu() + ": " + built.error()
          + (built.stderr() == null || built.stderr().isBlank() ? "" : ": " + built.stderr().strip()));
    }
    return built.artifact();
  }

  private static <T> T await(CompletionStage<T> stage, Duration timeout, String what)
      throws StepFailed, InterruptedException {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new StepFailed("no answer from " + what + " within " + timeout.toSeconds() + " s");
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = Failures.cause(e);
      if (cause instanceof BoardDirectory.BoardNotAvailable) {
        throw new StepFailed(cause.getMessage());
      }
      if (cause instanceof TimeoutException || cause instanceof org.apache.pekko.pattern.AskTimeoutException) {
        throw new StepFailed("no answer from " + what + " within " + timeout.toSeconds() + " s");
      }
      throw new StepFailed(what + " failed: " + cause);
    }
  }
}
