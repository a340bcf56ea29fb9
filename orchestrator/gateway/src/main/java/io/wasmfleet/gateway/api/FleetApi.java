package io.wasmfleet.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.gateway.build.BuildResult;
import io.wasmfleet.gateway.build.ModuleBuilder;
import io.wasmfleet.gateway.deploy.DeploymentActor;
import io.wasmfleet.gateway.device.Answer;
import io.wasmfleet.gateway.device.BoardState;
import io.wasmfleet.gateway.fleet.FleetView;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.stream.Materializer;

/**
 * {@code "v": 2, "cmd": "fleet"} (host-api.md): deploy, start, stop or status on every board a
 * selection names, {@code parallel} at a time, each board's answer sent as an event as it comes
 * (the run itself is {@link FleetOperation}, a stream). What it does on one board is what the
 * single-board commands do, through the same {@link BoardAccess}.
 */
final class FleetApi {

  static final List<String> OPS = List.of("deploy", "start", "stop", "status");

  private final BoardAccess boards;
  private final ModuleBuilder builder;
  private final ApiSettings settings;
  private final ObjectMapper json;
  private final Materializer materializer;

  FleetApi(BoardAccess boards, ModuleBuilder builder, ApiSettings settings, ObjectMapper json,
      Materializer materializer) {
    this.boards = boards;
    this.builder = builder;
    this.settings = settings;
    this.json = json;
    this.materializer = materializer;
  }

  CompletionStage<ObjectNode> handle(ApiRequest r, InputStream in, Consumer<ObjectNode> events) {
    String op = r.text("op", true);
    if (!OPS.contains(op)) {
      throw new ApiError("field 'op' must be deploy, start, stop or status, got '" + op + "'");
    }
    byte[] wasm = null;
    byte[] source = null;
    if (op.equals("deploy")) {
      if (r.has("blob_size")) {
        wasm = Blobs.receive(r, in, "blob_size", "blob_crc32", settings.maxBlob());
      } else if (r.has("source_size")) {
        source = Blobs.receive(r, in, "source_size", "source_crc32", settings.maxBlob());
      } else {
        throw new ApiError("fleet deploy needs blob_size (a .wasm or .aot) or source_size (C source)");
      }
    }
    String moduleId = op.equals("status") ? null : r.moduleId();
    int parallel = r.count("parallel", 4, 64);
    String select = r.text("select", true);
    Function<FleetOperation.Target, CompletionStage<ObjectNode>> perBoard = perBoard(r, op, moduleId, wasm, source,
        events);
    return selectable(select).thenCompose(list -> {
      List<FleetOperation.Target> targets = FleetOperation.select(select, list);
      events.accept(started(op, parallel, targets));
      return FleetOperation.run(op, targets, parallel,
          op.equals("status") ? statusInOneRound(targets, parallel) : perBoard, events, materializer);
    });
  }

  private ObjectNode started(String op, int parallel, List<FleetOperation.Target> targets) {
    ObjectNode start = json.createObjectNode();
    start.put("event", "start");
    start.put("op", op);
    start.put("parallel", parallel);
    ArrayNode ids = start.putArray("boards");
    targets.forEach(t -> ids.add(t.board()));
    return start;
  }

  /**
   * The boards a fleet operation selects from: where each is, from this node's fleet view (no
   * question to any board); a selection by tag needs the boards' own descriptions.
   */
  private CompletionStage<JsonNode> selectable(String select) {
    if (select != null && select.startsWith("tag=")) {
      return boards.boards().thenApply(list -> list.get("boards"));
    }
    return boards.placements().thenApply(placements -> {
      ArrayNode list = json.createArrayNode();
      for (FleetView.Placement p : placements) {
        ObjectNode b = list.addObject();
        b.put("board", p.board());
        b.put("node", p.node());
        b.put("link", p.state());
      }
      return list;
    });
  }

  /**
   * A fleet STATUS: every node asks its own boards in one round (see {@code FleetStatus}); a
   * board that round left out (it was moving, or its node died meanwhile) is asked on its own,
   * following it to its new node.
   */
  private Function<FleetOperation.Target, CompletionStage<ObjectNode>> statusInOneRound(
      List<FleetOperation.Target> targets, int parallel) {
    Duration timeout = settings.commandTimeout(settings.statusTimeout(), Duration.ZERO);
    List<String> ids = targets.stream().filter(t -> t.unavailable() == null).map(FleetOperation.Target::board).toList();
    CompletionStage<FleetView.BoardAnswers> round = boards.statusOf(ids, parallel, timeout)
        .exceptionally(failure -> new FleetView.BoardAnswers(Map.of(), Map.of()));
    return t -> round.thenCompose(r -> {
      Answer a = r.answers().get(t.board());
      if (a == null) {
        return boards.status(t.board()).thenApply(Answers::of);
      }
      ObjectNode out = Answers.of(a);
      out.put("ms", r.millis().getOrDefault(t.board(), 0L)); // the board's own time, not the wait for the round
      return CompletableFuture.completedFuture(out);
    });
  }

  /** What a fleet operation does on one board: asks composed without blocking; a deploy on the blocking dispatcher. */
  private Function<FleetOperation.Target, CompletionStage<ObjectNode>> perBoard(ApiRequest r, String op,
      String moduleId, byte[] wasm, byte[] source, Consumer<ObjectNode> events) {
    return switch (op) {
      case "deploy" -> deploy(r, moduleId, wasm, source, events);
      case "start" -> {
        String func = r.funcName();
        String args = r.funcArgs();
        boolean wait = r.bool("wait_result", false);
        Duration resultTimeout = r.seconds("result_timeout", 10);
        yield t -> boards.start(t.board(), moduleId, func, args, wait, resultTimeout).thenApply(Answers::of);
      }
      case "stop" -> {
        Duration resultTimeout = r.seconds("result_timeout", 10);
        yield t -> boards.stop(t.board(), moduleId, resultTimeout).thenApply(Answers::of);
      }
      default -> t -> boards.status(t.board()).thenApply(Answers::of);
    };
  }

  /**
   * Deploys {@code wasm}, or builds {@code source} once per target (cpu) and deploys that;
   * nothing waits.
   */
  private Function<FleetOperation.Target, CompletionStage<ObjectNode>> deploy(ApiRequest r, String moduleId,
      byte[] wasm, byte[] source, Consumer<ObjectNode> events) {
    boolean replace = r.bool("replace", false);
    boolean rollback = r.bool("rollback", true);
    String victim = r.victim();
    String name = r.text(wasm != null ? "blob_name" : "source_name", false);
    String mode = source == null ? "wasm" : r.mode();
    ConcurrentHashMap<String, CompletionStage<BuildResult>> builds = new ConcurrentHashMap<>();
    return t -> boards.find(t.board()).thenCompose(board -> boards.state(board).thenCompose(state -> {
      boolean simCompiled = mode.equals("aot") && state.simulated();
      boolean aot = mode.equals("aot") && !simCompiled;
      CompletionStage<BuildResult> built = source == null ? CompletableFuture.completedFuture(null)
          : builds.computeIfAbsent(aot ? state.config().cpu() : "wasm", k -> build(source, name, aot, state, k, events));
      return built.thenCompose(b -> {
        if (b != null && !b.ok()) {
          ObjectNode out = Answers.error(b.step() + " failed: " + b.error());
          out.put("step", b.step());
          return CompletableFuture.completedFuture(out);
        }
        return boards.deploy(board, state, name, new DeploymentActor.Request(moduleId, b == null ? wasm : b.artifact(),
            replace, victim, simCompiled, rollback));
      });
    }));
  }

  /** One build for the target {@code key} (a cpu, or "wasm"), announced as a {@code build} event when it ends. */
  private CompletionStage<BuildResult> build(byte[] source, String name, boolean aot, BoardState state, String key,
      Consumer<ObjectNode> events) {
    return boards.build(builder, source, name, aot, new ModuleBuilder.Target(state.config().cpu(), state.config().arch()))
        .thenApply(b -> {
          ObjectNode e = json.createObjectNode();
          e.put("event", "build");
          e.put("target", key);
          e.put("ok", b.ok());
          e.put("cached", b.cached());
          if (!b.ok()) {
            e.put("error", b.error());
            e.put("stderr", b.stderr() == null ? "" : b.stderr());
          }
          events.accept(e);
          return b;
        });
  }
}
