package io.wasmfleet.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.gateway.Failures;
import io.wasmfleet.gateway.build.BuildResult;
import io.wasmfleet.gateway.build.ModuleBuilder;
import io.wasmfleet.gateway.deploy.DeploymentActor;
import io.wasmfleet.gateway.deploy.Deployments;
import io.wasmfleet.gateway.device.BoardState;
import io.wasmfleet.gateway.device.DeviceActor;
import io.wasmfleet.gateway.fleet.BoardDirectory;
import io.wasmfleet.gateway.web.GatewayMetrics;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.stream.Materializer;

/**
 * Host API v1 as {@code shared/reference/host-api-v1.md} defines it: the same {@code cmd}
 * names and fields, the same {@code ok}/{@code detail}/{@code error}/{@code step} answers and
 * CRC check. Version 2 ({@code "v": 2}) adds what v1 cannot say: {@code boards}, {@code console},
 * {@code fleet} ({@link FleetApi}) and {@code campaign} ({@link CampaignApi}). This class reads a
 * request's fields and dispatches it; boards are reached through {@link BoardAccess}. A request's
 * answer is a {@link CompletionStage} of asks and builds composed without waiting; the module
 * check of a load (Chicory's parser) runs on the blocking-I/O dispatcher, and so do campaigns,
 * which run cell after cell and write their store.
 */
public final class HostApi {

  static final List<String> COMMANDS = List.of("status", "load", "build_and_load", "start", "stop");
  static final List<String> V2_COMMANDS = List.of("boards", "console", "fleet", "campaign");

  /** Where a request's progress lines go; {@code open} is false once the client went away. */
  public interface Events extends java.util.function.Consumer<ObjectNode> {
    default boolean open() {
      return true;
    }
  }
  private final ActorSystem<?> system;
  private final BoardAccess boards;
  private final FleetApi fleet;
  private final CampaignApi campaigns;
  private final ModuleBuilder builder;
  private final ApiSettings settings;
  private final Executor blockingIo;
  private final GatewayMetrics metrics;

  public HostApi(ActorSystem<?> system, BoardDirectory directory, ActorRef<Deployments.Deploy> deployments,
      ModuleBuilder builder, ApiSettings settings, ObjectMapper json, CampaignApi campaigns, Executor blockingIo) {
    this.system = system;
    this.boards = new BoardAccess(system, directory, deployments, settings,
        new BoardJson(json, BoardAccess.BOARD_STATE_TIMEOUT), blockingIo);
    this.fleet = new FleetApi(boards, builder, settings, json, Materializer.createMaterializer(system));
    this.campaigns = campaigns;
    this.builder = builder;
    this.settings = settings;
    this.blockingIo = blockingIo;
    this.metrics = GatewayMetrics.get(system);
  }

  /**
   * Serves one request: its JSON line, then reads its blob from {@code in}. Fleet operations
   * send progress {@code events} while they run; the returned stage completes with the final
   * answer (an error answer when the request fails). Never throws, never fails.
   */
  public CompletionStage<ObjectNode> handle(JsonNode request, InputStream in, Events events) {
    long started = System.nanoTime();
    return serve(request, in, events).whenComplete((answer, failure) -> metrics.request(commandLabel(request),
        answer != null && answer.path("ok").asBoolean(), Duration.ofNanos(System.nanoTime() - started)));
  }

  /**
   * A read-only request the node makes of itself (the fleet page's view: {@code boards},
   * {@code console}); served as {@link #handle} serves it, but not counted as a host API request.
   */
  public CompletionStage<ObjectNode> query(JsonNode request) {
    return serve(request, InputStream.nullInputStream(), event -> { });
  }

  /**
   * The fleet page's view of every board ({@code boards}), each board given {@code wait} to
   * describe itself: a board that takes longer (moving, its node busy) shows as last seen for
   * one snapshot instead of holding the page back. Not counted as a host API request.
   */
  public CompletionStage<ObjectNode> boards(Duration wait) {
    return boards.boards(wait);
  }

  /** The command a request counts under: a known cmd (and a v2 op), else "unknown" (no unbounded labels). */
  static String commandLabel(JsonNode request) {
    String canonical = ApiRequest.canonical(request == null ? "" : request.path("cmd").asText(""));
    if (!COMMANDS.contains(canonical) && !V2_COMMANDS.contains(canonical)) {
      return "unknown";
    }
    String op = request.path("op").asText("");
    List<String> ops = switch (canonical) {
      case "fleet" -> FleetApi.OPS;
      case "campaign" -> List.of("run", "watch", "list", "show");
      default -> List.of();
    };
    return ops.contains(op) ? canonical + "." + op : canonical;
  }

  private CompletionStage<ObjectNode> serve(JsonNode request, InputStream in, Events events) {
    try {
      ApiRequest r = new ApiRequest(request);
      String cmd = r.cmd();
      CompletionStage<ObjectNode> answer = switch (ApiRequest.canonical(cmd)) {
        case "status" -> boards.status(r.text("device", true)).thenApply(Answers::of);
        case "load" -> load(r, in);
        case "build_and_load" -> buildAndLoad(r, in);
        case "start" -> start(r);
        case "stop" -> stop(r);
        case "boards" -> boards.boards();
        case "console" -> boards.console(r.text("device", true)).thenApply(BoardJson::console);
        case "fleet" -> fleet.handle(r, in, events);
        case "campaign" -> blocking(() -> campaigns.handle(r, in, events, () -> boards.boardsNow().get("boards"),
            settings));
        default -> throw new ApiError("unknown cmd '" + cmd + "'; known: " + String.join(", ", COMMANDS)
            + " (and with \"v\": 2: " + String.join(", ", V2_COMMANDS) + ")");
      };
      return answer.handle((ok, failure) -> failure == null ? ok : failed(failure));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failed(e));
    }
  }

  /** A failed request's answer: an {@link ApiError}'s message, anything else an internal error. */
  private ObjectNode failed(Throwable failure) {
    Throwable cause = Failures.cause(failure);
    if (cause instanceof ApiError e) {
      return Answers.error(e.getMessage());
    }
    system.log().error("host API request failed", cause);
    return Answers.error("internal error: " + cause);
  }

  private CompletionStage<ObjectNode> blocking(Supplier<ObjectNode> work) {
    return CompletableFuture.supplyAsync(work, blockingIo);
  }

  // ---- the v1 commands -----------------------------------------------------------------------

  /**
   * LOAD: the blob (in memory already) checked against the board's CPU and deployed; nothing
   * waits.
   */
  private CompletionStage<ObjectNode> load(ApiRequest r, InputStream in) {
    byte[] blob = Blobs.receive(r, in, "blob_size", "blob_crc32", settings.maxBlob());
    String moduleId = r.moduleId();
    String name = r.text("blob_name", false);
    boolean replace = r.bool("replace", false);
    String victim = r.victim();
    boolean rollback = r.bool("rollback", true);
    return boards.find(r.text("device", true)).thenCompose(board -> boards.state(board).thenCompose(state ->
        boards.deploy(board, state, name, new DeploymentActor.Request(moduleId, blob, replace, victim, false, rollback))));
  }

  /** BUILD_AND_LOAD: built for the board's CPU (or as wasm), checked, deployed; the answer names the build's files. */
  private CompletionStage<ObjectNode> buildAndLoad(ApiRequest r, InputStream in) {
    byte[] source = Blobs.receive(r, in, "source_size", "source_crc32", settings.maxBlob());
    String moduleId = r.moduleId();
    String mode = r.mode();
    String name = r.text("source_name", false);
    boolean replace = r.bool("replace", false);
    boolean rollback = r.bool("rollback", true);
    String victim = r.victim();
    return boards.find(r.text("device", true)).thenCompose(board -> boards.state(board).thenCompose(state -> {
      // A simulated board cannot run native Thumb code: AOT stands there for Chicory's compiler.
      boolean simCompiled = mode.equals("aot") && state.simulated();
      ModuleBuilder.Target target = new ModuleBuilder.Target(state.config().cpu(), state.config().arch());
      return boards.build(builder, source, name, mode.equals("aot") && !simCompiled, target)
          .thenCompose(built -> built.ok()
              ? deployBuilt(board, state, built, new DeploymentActor.Request(moduleId, built.artifact(), replace, victim,
                  simCompiled, rollback))
              : CompletableFuture.completedFuture(buildFailed(built)));
    }));
  }

  private CompletionStage<ObjectNode> deployBuilt(RecipientRef<DeviceActor.Command> board, BoardState state,
      BuildResult built, DeploymentActor.Request request) {
    String artifactName = (built.aotPath() != null ? built.aotPath() : built.wasmPath()).getFileName().toString();
    return boards.deploy(board, state, artifactName, request).thenApply(out -> {
      out.put("step", "load");
      if (request.simCompiled()) {
        out.put("note", state.board() + " is a simulated board: mode=aot runs the wasm compiled to JVM bytecode"
            + " (the simulator's stand-in for WAMR AOT; it cannot run native " + state.config().arch() + " code)");
      }
      putPath(out, "wasm_path", built.wasmPath());
      putPath(out, "aot_path", built.aotPath());
      out.put("cached", built.cached());
      return out;
    });
  }

  private static ObjectNode buildFailed(BuildResult built) {
    ObjectNode out = Answers.error(built.error());
    out.put("step", built.step());
    putPath(out, "wasm_path", built.wasmPath());
    out.put("stdout", built.stdout() == null ? "" : built.stdout());
    out.put("stderr", built.stderr() == null ? "" : built.stderr());
    return out;
  }

  private static void putPath(ObjectNode out, String field, Path path) {
    if (path != null) {
      out.put(field, path.toString());
    }
  }

  private CompletionStage<ObjectNode> start(ApiRequest r) {
    String moduleId = r.moduleId();
    String func = r.funcName();
    String args = r.funcArgs();
    boolean wait = r.bool("wait_result", false);
    Duration resultTimeout = r.seconds("result_timeout", 10);
    return boards.start(r.text("device", true), moduleId, func, args, wait, resultTimeout).thenApply(Answers::of);
  }

  private CompletionStage<ObjectNode> stop(ApiRequest r) {
    String moduleId = r.moduleId();
    Duration resultTimeout = r.seconds("result_timeout", 10);
    return boards.stop(r.text("device", true), moduleId, resultTimeout).thenApply(Answers::of);
  }
}
