package io.wasmfleet.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.gateway.Asks;
import io.wasmfleet.gateway.build.BuildResult;
import io.wasmfleet.gateway.build.ModuleBuilder;
import io.wasmfleet.gateway.build.ModuleCheck;
import io.wasmfleet.gateway.deploy.DeploymentActor;
import io.wasmfleet.gateway.deploy.Deployments;
import io.wasmfleet.gateway.fleet.BoardDirectory;
import io.wasmfleet.gateway.device.DeviceActor;
import io.wasmfleet.gateway.device.DeviceActor.Answer;
import io.wasmfleet.gateway.device.DeviceActor.BoardState;
import io.wasmfleet.gateway.fleet.FleetView;
import io.wasmfleet.protocol.Crc32;
import io.wasmfleet.protocol.StartArgs;
import io.wasmfleet.protocol.WireValues;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Host API v1 as {@code shared/reference/host-api-v1.md} defines it: the same {@code cmd}
 * names and fields, the same {@code ok}/{@code detail}/{@code error}/{@code step} answers and
 * CRC check. Version 2 ({@code "v": 2}) adds what v1 cannot say: {@code boards} and
 * {@code console}. A request's answer is a {@link CompletionStage}: board commands, board lists
 * and fleet operations are asks composed without blocking; loads, builds and campaigns (which
 * compile, check and store) run on the blocking-I/O dispatcher.
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
  /** GetState is answered from memory: a board that takes longer is on a node that is going down. */
  private static final Duration BOARD_STATE_TIMEOUT = Duration.ofSeconds(1);

  private final ActorSystem<?> system;
  private final BoardDirectory directory;
  private final ActorRef<Deployments.Deploy> deployments;
  private final ModuleBuilder builder;
  private final ApiSettings settings;
  private final ObjectMapper json;
  private final CampaignApi campaigns;
  private final java.util.concurrent.Executor blockingIo;
  private final org.apache.pekko.stream.Materializer materializer;
  private final io.wasmfleet.gateway.web.GatewayMetrics metrics;
  /** What each board's node said of it last: shown while the board moves or its node is down. */
  private final BoardJson boardJson;

  public HostApi(ActorSystem<?> system, BoardDirectory directory, ActorRef<Deployments.Deploy> deployments,
      ModuleBuilder builder, ApiSettings settings, ObjectMapper json, CampaignApi campaigns,
      java.util.concurrent.Executor blockingIo) {
    this.system = system;
    this.directory = directory;
    this.deployments = deployments;
    this.builder = builder;
    this.settings = settings;
    this.json = json;
    this.campaigns = campaigns;
    this.blockingIo = blockingIo;
    this.materializer = org.apache.pekko.stream.Materializer.createMaterializer(system);
    this.metrics = io.wasmfleet.gateway.web.GatewayMetrics.get(system);
    this.boardJson = new BoardJson(json, BOARD_STATE_TIMEOUT);
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

  /** The command a request counts under: a known cmd (and a v2 op), else "unknown" (no unbounded labels). */
  static String commandLabel(JsonNode request) {
    String canonical = ApiRequest.canonical(request == null ? "" : request.path("cmd").asText(""));
    if (!COMMANDS.contains(canonical) && !V2_COMMANDS.contains(canonical)) {
      return "unknown";
    }
    String op = request.path("op").asText("");
    List<String> ops = switch (canonical) {
      case "fleet" -> List.of("deploy", "start", "stop", "status");
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
        case "status" -> status(r);
        case "load" -> blocking(() -> load(r, in));
        case "build_and_load" -> blocking(() -> buildAndLoad(r, in));
        case "start" -> start(r);
        case "stop" -> stop(r);
        case "boards" -> boards();
        case "console" -> console(r);
        case "fleet" -> fleet(r, in, events);
        case "campaign" -> blocking(() -> campaigns.handle(r, in, events,
            () -> await(boards(), settings.askMargin().plus(BOARD_STATE_TIMEOUT), "the fleet view").get("boards"),
            settings));
        default -> throw new ApiError("unknown cmd '" + cmd + "'; known: " + String.join(", ", COMMANDS)
            + " (and with \"v\": 2: " + String.join(", ", V2_COMMANDS) + ")");
      };
      return answer.handle((ok, failure) -> failure == null ? ok : failed(failure));
    } catch (RuntimeException e) {
      return java.util.concurrent.CompletableFuture.completedFuture(failed(e));
    }
  }

  /** A failed request's answer: an {@link ApiError}'s message, anything else an internal error. */
  private ObjectNode failed(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof ApiError e) {
      return error(e.getMessage());
    }
    system.log().error("host API request failed", cause);
    return error("internal error: " + cause);
  }

  private CompletionStage<ObjectNode> blocking(java.util.function.Supplier<ObjectNode> work) {
    return java.util.concurrent.CompletableFuture.supplyAsync(work, blockingIo);
  }

  // ---- the v1 commands -----------------------------------------------------------------------

  private CompletionStage<ObjectNode> status(ApiRequest r) {
    return status(r.text("device", true), 3).thenApply(this::answer);
  }

  /** STATUS changes nothing: asked again when the board moved to another node meanwhile. */
  private CompletionStage<Answer> status(String device, int attempts) {
    return statusFollowing(device)
        .thenCompose(a -> attempts > 1 && !a.ok() && a.error().contains("moved to another node")
            ? status(device, attempts - 1) : java.util.concurrent.CompletableFuture.completedFuture(a));
  }

  /** How often a STATUS in flight checks whether its board is now driven by another actor. */
  private static final Duration MOVE_CHECK = Duration.ofSeconds(1);

  /**
   * Asks a board for STATUS and, while waiting, asks the fleet view every {@link #MOVE_CHECK}
   * where the board is: when another actor drives it now (it moved while the question was on
   * its way to the old one, which stopped), the question goes to that one too, and the first
   * answer wins. STATUS changes nothing on a board, so asking twice is harmless.
   */
  private CompletionStage<Answer> statusFollowing(String device) {
    Duration timeout = settings.commandTimeout(settings.statusTimeout(), Duration.ZERO);
    return boardAsync(device).thenCompose(first -> {
      java.util.concurrent.CompletableFuture<Answer> result = new java.util.concurrent.CompletableFuture<>();
      java.util.concurrent.atomic.AtomicReference<RecipientRef<DeviceActor.Command>> latest =
          new java.util.concurrent.atomic.AtomicReference<>(first);
      java.util.function.Consumer<RecipientRef<DeviceActor.Command>> askOne = board ->
          this.<Answer>askAsync(board, DeviceActor.Status::new, timeout).whenComplete((a, failure) -> {
            if (failure == null) {
              result.complete(a);
            } else if (latest.get().equals(board)) {
              result.completeExceptionally(failure); // the last place asked has failed: that is the outcome
            }
          });
      org.apache.pekko.actor.Cancellable check = system.scheduler().scheduleAtFixedRate(MOVE_CHECK, MOVE_CHECK,
          () -> boardAsync(device).thenAccept(now -> {
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

  private ObjectNode load(ApiRequest r, InputStream in) {
    byte[] blob = Blobs.receive(r, in, "blob_size", "blob_crc32", settings.maxBlob());
    String moduleId = r.moduleId();
    String name = r.text("blob_name", false);
    boolean replace = r.bool("replace", false);
    String victim = r.victim();
    RecipientRef<DeviceActor.Command> board = board(r);
    BoardState state = state(board);
    ModuleCheck.problem(blob, name, state.config()).ifPresent(p -> {
      throw new ApiError(p);
    });
    return deploy(board, moduleId, blob, replace, victim, false, r.bool("rollback", true));
  }

  private ObjectNode buildAndLoad(ApiRequest r, InputStream in) {
    byte[] source = Blobs.receive(r, in, "source_size", "source_crc32", settings.maxBlob());
    String moduleId = r.moduleId();
    String mode = r.text("mode", false);
    if (mode == null) {
      mode = "wasm";
    }
    if (!mode.equals("wasm") && !mode.equals("aot")) {
      throw new ApiError("field 'mode' must be wasm or aot, got '" + mode + "'");
    }
    String name = r.text("source_name", false);
    boolean replace = r.bool("replace", false);
    boolean rollback = r.bool("rollback", true);
    String victim = r.victim();
    RecipientRef<DeviceActor.Command> board = board(r);
    BoardState state = state(board);
    ModuleBuilder.Target target = new ModuleBuilder.Target(state.config().cpu(), state.config().arch());
    // A simulated board cannot run native Thumb code: AOT stands there for Chicory's compiler.
    boolean simCompiled = mode.equals("aot") && state.simulated();
    BuildResult built = await(builder.build(source, name, mode.equals("aot") && !simCompiled, target),
        settings.buildTimeout().plus(settings.askMargin()), "the build");
    if (!built.ok()) {
      ObjectNode out = error(built.error());
      out.put("step", built.step());
      putPath(out, "wasm_path", built.wasmPath());
      out.put("stdout", built.stdout() == null ? "" : built.stdout());
      out.put("stderr", built.stderr() == null ? "" : built.stderr());
      return out;
    }
    String artifactName = (built.aotPath() != null ? built.aotPath() : built.wasmPath()).getFileName().toString();
    ObjectNode out = ModuleCheck.problem(built.artifact(), artifactName, state.config())
        .map(HostApi::error)
        .orElseGet(() -> deploy(board, moduleId, built.artifact(), replace, victim, simCompiled, rollback));
    out.put("step", "load");
    if (simCompiled) {
      out.put("note", state.board() + " is a simulated board: mode=aot runs the wasm compiled to JVM bytecode"
          + " (the simulator's stand-in for WAMR AOT; it cannot run native " + state.config().arch() + " code)");
    }
    putPath(out, "wasm_path", built.wasmPath());
    putPath(out, "aot_path", built.aotPath());
    out.put("cached", built.cached());
    return out;
  }

  private static void putPath(ObjectNode out, String field, java.nio.file.Path path) {
    if (path != null) {
      out.put(field, path.toString());
    }
  }

  private CompletionStage<ObjectNode> start(ApiRequest r) {
    String moduleId = r.moduleId();
    String func = r.text("func_name", false);
    if (func != null && func.isEmpty()) {
      func = null;
    }
    if (func != null) {
      String f = func;
      ApiRequest.wire(() -> WireValues.requireFunctionName("func_name", f));
    }
    String args = r.text("func_args", false);
    ApiRequest.wire(() -> StartArgs.parse(args));
    boolean wait = r.bool("wait_result", false);
    Duration resultTimeout = r.seconds("result_timeout", 10);
    String fn = func;
    Duration timeout = settings.commandTimeout(settings.replyTimeout(), wait ? resultTimeout : Duration.ZERO);
    return boardAsync(r.text("device", true)).thenCompose(board -> this.<Answer>askAsync(board,
            reply -> new DeviceActor.Start(moduleId, fn, args, wait, resultTimeout, reply), timeout))
        .thenApply(this::answer);
  }

  private CompletionStage<ObjectNode> stop(ApiRequest r) {
    String moduleId = r.moduleId();
    Duration resultTimeout = r.seconds("result_timeout", 10);
    Duration timeout = settings.commandTimeout(settings.replyTimeout(), resultTimeout);
    return boardAsync(r.text("device", true)).thenCompose(board -> this.<Answer>askAsync(board,
            reply -> new DeviceActor.Stop(moduleId, resultTimeout, reply), timeout))
        .thenApply(this::answer);
  }

  // ---- v2 -----------------------------------------------------------------------------------

  /**
   * Every board of the fleet, at every moment: a board whose node answers shows its state; a
   * network board being handed over shows MOVING with its last owner, a pinned board of a dead
   * node OWNER_DOWN, each with what was last seen of it.
   */
  private CompletionStage<ObjectNode> boards() {
    // a node that does not describe its boards in time: they are listed with what was last seen of them
    CompletionStage<java.util.Map<String, BoardState>> described = within(directory.describe(BOARD_STATE_TIMEOUT),
        BOARD_STATE_TIMEOUT.plus(settings.askMargin()), "the fleet view")
        .handle((d, failure) -> failure == null ? d.states() : java.util.Map.<String, BoardState>of());
    return within(directory.list(), settings.askMargin(), "the fleet view")
        .thenCombine(described, boardJson::list);
  }

  private CompletionStage<ObjectNode> console(ApiRequest r) {
    String device = r.text("device", true);
    return boardAsync(device).thenCompose(board -> within(Asks.ask(board, DeviceActor.GetConsole::new,
            settings.askMargin(), system.scheduler()), settings.askMargin(), "board " + device))
        .thenApply(BoardJson::console);
  }

  // ---- fleet operations (v2, streaming) -----------------------------------------------------

  private CompletionStage<ObjectNode> fleet(ApiRequest r, InputStream in, java.util.function.Consumer<ObjectNode> events) {
    String op = r.text("op", true);
    if (!List.of("deploy", "start", "stop", "status").contains(op)) {
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
    java.util.function.Function<FleetOperation.Target, CompletionStage<ObjectNode>> perBoard = fleetOp(r, op, moduleId,
        wasm, source, events);
    return selectable(select).thenCompose(boards -> {
      List<FleetOperation.Target> targets = FleetOperation.select(select, boards);
      return fleet(op, parallel, targets, op.equals("status") ? statusInOneRound(targets, parallel) : perBoard, events);
    });
  }

  /**
   * A fleet STATUS: every node asks its own boards in one round (see {@code FleetStatus}); a
   * board that round left out (it was moving, or its node died meanwhile) is asked on its own,
   * following it to its new node.
   */
  private java.util.function.Function<FleetOperation.Target, CompletionStage<ObjectNode>> statusInOneRound(
      List<FleetOperation.Target> targets, int parallel) {
    Duration timeout = settings.commandTimeout(settings.statusTimeout(), Duration.ZERO);
    List<String> ids = targets.stream().filter(t -> t.unavailable() == null).map(FleetOperation.Target::board).toList();
    CompletionStage<FleetView.BoardAnswers> round = directory.statusOf(ids, parallel, timeout)
        .exceptionally(failure -> new FleetView.BoardAnswers(java.util.Map.of(), java.util.Map.of()));
    return t -> round.thenCompose(r -> {
      Answer a = r.answers().get(t.board());
      if (a == null) {
        return status(t.board(), 3).thenApply(this::answer);
      }
      ObjectNode out = answer(a);
      out.put("ms", r.millis().getOrDefault(t.board(), 0L)); // the board's own time, not the wait for the round
      return java.util.concurrent.CompletableFuture.completedFuture(out);
    });
  }

  /**
   * The boards a fleet operation selects from: where each is, from this node's fleet view (no
   * question to any board); a selection by tag needs the boards' own descriptions.
   */
  private CompletionStage<JsonNode> selectable(String select) {
    if (select != null && select.startsWith("tag=")) {
      return boards().thenApply(list -> list.get("boards"));
    }
    return within(directory.list(), settings.askMargin(), "the fleet view").thenApply(placements -> {
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

  private CompletionStage<ObjectNode> fleet(String op, int parallel, List<FleetOperation.Target> targets,
      java.util.function.Function<FleetOperation.Target, CompletionStage<ObjectNode>> perBoard,
      java.util.function.Consumer<ObjectNode> events) {
    ObjectNode start = json.createObjectNode();
    start.put("event", "start");
    start.put("op", op);
    start.put("parallel", parallel);
    ArrayNode ids = start.putArray("boards");
    targets.forEach(t -> ids.add(t.board()));
    events.accept(start);
    return FleetOperation.run(op, targets, parallel, perBoard, events, materializer);
  }

  /** What a fleet operation does on one board: asks composed without blocking; a deploy on the blocking dispatcher. */
  private java.util.function.Function<FleetOperation.Target, CompletionStage<ObjectNode>> fleetOp(ApiRequest r,
      String op, String moduleId, byte[] wasm, byte[] source, java.util.function.Consumer<ObjectNode> events) {
    return switch (op) {
      case "deploy" -> {
        java.util.function.Function<FleetOperation.Target, ObjectNode> deploy = fleetDeploy(r, moduleId, wasm, source,
            events);
        yield t -> blocking(() -> deploy.apply(t));
      }
      case "start" -> {
        String func = r.text("func_name", false);
        String args = r.text("func_args", false);
        ApiRequest.wire(() -> StartArgs.parse(args));
        boolean wait = r.bool("wait_result", false);
        Duration resultTimeout = r.seconds("result_timeout", 10);
        Duration timeout = settings.commandTimeout(settings.replyTimeout(), wait ? resultTimeout : Duration.ZERO);
        yield t -> boardAsync(t.board()).thenCompose(board -> this.<Answer>askAsync(board,
            reply -> new DeviceActor.Start(moduleId, func, args, wait, resultTimeout, reply), timeout))
            .thenApply(this::answer);
      }
      case "stop" -> {
        Duration resultTimeout = r.seconds("result_timeout", 10);
        Duration timeout = settings.commandTimeout(settings.replyTimeout(), resultTimeout);
        yield t -> boardAsync(t.board()).thenCompose(board -> this.<Answer>askAsync(board,
            reply -> new DeviceActor.Stop(moduleId, resultTimeout, reply), timeout))
            .thenApply(this::answer);
      }
      default -> t -> status(t.board(), 3).thenApply(this::answer);
    };
  }

  /** Deploys {@code wasm}, or builds {@code source} once per target (cpu) and deploys that. */
  private java.util.function.Function<FleetOperation.Target, ObjectNode> fleetDeploy(ApiRequest r, String moduleId,
      byte[] wasm, byte[] source, java.util.function.Consumer<ObjectNode> events) {
    boolean replace = r.bool("replace", false);
    boolean rollback = r.bool("rollback", true);
    String victim = r.victim();
    String name = r.text(wasm != null ? "blob_name" : "source_name", false);
    String mode = source == null ? "wasm" : java.util.Optional.ofNullable(r.text("mode", false)).orElse("wasm");
    if (!mode.equals("wasm") && !mode.equals("aot")) {
      throw new ApiError("field 'mode' must be wasm or aot, got '" + mode + "'");
    }
    java.util.concurrent.ConcurrentHashMap<String, BuildResult> builds = new java.util.concurrent.ConcurrentHashMap<>();
    return t -> {
      RecipientRef<DeviceActor.Command> board = board(t.board());
      BoardState state = state(board);
      boolean simCompiled = mode.equals("aot") && state.simulated();
      byte[] artifact = wasm;
      if (source != null) {
        boolean aot = mode.equals("aot") && !simCompiled;
        String target = aot ? state.config().cpu() : "wasm";
        BuildResult built = builds.computeIfAbsent(target, k -> {
          BuildResult b = await(builder.build(source, name, aot,
              new ModuleBuilder.Target(state.config().cpu(), state.config().arch())),
              settings.buildTimeout().plus(settings.askMargin()), "the build");
          ObjectNode e = json.createObjectNode();
          e.put("event", "build");
          e.put("target", k);
          e.put("ok", b.ok());
          e.put("cached", b.cached());
          if (!b.ok()) {
            e.put("error", b.error());
            e.put("stderr", b.stderr() == null ? "" : b.stderr());
          }
          events.accept(e);
          return b;
        });
        if (!built.ok()) {
          ObjectNode out = error(built.step() + " failed: " + built.error());
          out.put("step", built.step());
          return out;
        }
        artifact = built.artifact();
      }
      byte[] payload = artifact;
      return ModuleCheck.problem(payload, name, state.config()).map(HostApi::error)
          .orElseGet(() -> deploy(board, moduleId, payload, replace, victim, simCompiled, rollback));
    };
  }

  private RecipientRef<DeviceActor.Command> board(String id) {
    return await(directory.find(id), settings.askMargin(), "the board directory");
  }

  private CompletionStage<RecipientRef<DeviceActor.Command>> boardAsync(String id) {
    return within(directory.find(id), settings.askMargin(), "the board directory");
  }

  /**
   * Asks a board. One on another node is waited for, but not for longer than that node lives:
   * once the cluster marks it unreachable the request is answered, its outcome said to be unknown.
   */
  private <T> CompletionStage<T> askAsync(RecipientRef<DeviceActor.Command> board,
      java.util.function.Function<ActorRef<T>, DeviceActor.Command> message, Duration timeout) {
    CompletionStage<T> answer = within(Asks.ask(board, message, timeout, system.scheduler()), timeout, "the board");
    if (!(board instanceof ActorRef<?> ref) || ref.path().address().hasLocalScope()) {
      return answer;
    }
    org.apache.pekko.actor.Address node = ref.path().address();
    java.util.concurrent.CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
    org.apache.pekko.actor.Cancellable watch = system.scheduler().scheduleAtFixedRate(UNREACHABLE_CHECK,
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

  private static final Duration UNREACHABLE_CHECK = Duration.ofMillis(500);

  /** The name of {@code node} when the cluster sees it unreachable. */
  private java.util.Optional<String> unreachable(org.apache.pekko.actor.Address node) {
    return org.apache.pekko.cluster.typed.Cluster.get(system).state().getUnreachable().stream()
        .filter(m -> m.address().equals(node)).findFirst()
        .map(m -> io.wasmfleet.gateway.NodeNames.of(m).orElse(node.toString()));
  }

  /**
   * {@code stage} (an ask, which times out on its own after {@code timeout}), failing with the
   * API's own words: "no answer from {@code what} within N s", a board's unavailability, ...
   */
  private static <T> CompletionStage<T> within(CompletionStage<T> stage, Duration timeout, String what) {
    java.util.concurrent.CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
    stage.whenComplete((value, failure) -> {
      if (failure == null) {
        result.complete(value);
      } else {
        result.completeExceptionally(apiError(failure, timeout, what));
      }
    });
    return result;
  }

  private static ApiError apiError(Throwable failure, Duration timeout, String what) {
    Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
    if (cause instanceof ApiError e) {
      return e;
    }
    if (cause instanceof BoardDirectory.BoardNotAvailable) {
      return new ApiError(cause.getMessage());
    }
    if (cause instanceof java.util.concurrent.TimeoutException || cause instanceof org.apache.pekko.pattern.AskTimeoutException) {
      return new ApiError("no answer from " + what + " within " + timeout.toSeconds() + " s");
    }
    return new ApiError(what + " failed: " + cause);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private RecipientRef<DeviceActor.Command> board(ApiRequest r) {
    return board(r.text("device", true));
  }

  /**
   * What the gateway knows of a board. A network board being handed over is waited for, up to
   * the deploy timeout: a message sent to its old node just before it died is lost, so the
   * question (which changes nothing) is asked again every {@link #BOARD_STATE_TIMEOUT}.
   */
  private BoardState state(RecipientRef<DeviceActor.Command> board) {
    long deadline = System.nanoTime() + settings.deployTimeout().toNanos();
    while (true) {
      try {
        return await(Asks.ask(board, DeviceActor.GetState::new, BOARD_STATE_TIMEOUT, system.scheduler()),
            BOARD_STATE_TIMEOUT, "the board");
      } catch (ApiError e) {
        if (board instanceof ActorRef<?> || System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  private ObjectNode deploy(RecipientRef<DeviceActor.Command> board, String moduleId, byte[] payload, boolean replace,
      String victim, boolean simCompiled, boolean rollback) {
    DeploymentActor.Request request = new DeploymentActor.Request(moduleId, payload, replace, victim, simCompiled,
        rollback);
    DeploymentActor.Deployed deployed = await(Asks.<Deployments.Deploy, DeploymentActor.Deployed>ask(
            deployments, reply -> new Deployments.Deploy(board, request, reply),
            settings.deployTimeout().plus(settings.askMargin()), system.scheduler()),
        settings.deployTimeout().plus(settings.askMargin()), "the deployment");
    ObjectNode out = answer(deployed.answer());
    if (deployed.victim() != null) {
      out.put("victim", deployed.victim());
    }
    if (deployed.decision() != null) {
      out.put("decision", deployed.decision());
    }
    return out;
  }

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

  /** The bytes after the request line: as many as {@code sizeField} says, with {@code crcField}'s CRC. */
  private ObjectNode answer(Answer a) {
    ObjectNode out = a.ok() ? ok(a.detail()) : error(a.error());
    if (a.rolledBack() != null) {
      out.put("rolled_back", a.rolledBack());
    }
    if (a.rollbackFailed() != null) {
      out.put("rolled_back", false);
      out.put("rollback_failed", a.rollbackFailed());
    }
    return out;
  }

  private static final ObjectMapper PLAIN = new ObjectMapper();

  static ObjectNode ok(String detail) {
    ObjectNode out = PLAIN.createObjectNode();
    out.put("ok", true);
    out.put("detail", detail);
    return out;
  }

  static ObjectNode error(String error) {
    ObjectNode out = PLAIN.createObjectNode();
    out.put("ok", false);
    out.put("error", error);
    return out;
  }
}
