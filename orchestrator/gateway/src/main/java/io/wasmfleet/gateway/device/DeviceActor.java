package io.wasmfleet.gateway.device;

import io.wasmfleet.gateway.CborSerializable;
import io.wasmfleet.gateway.transport.BoardConnection;
import io.wasmfleet.protocol.DeviceLine;
import io.wasmfleet.protocol.DeviceLine.StatusOk;
import io.wasmfleet.protocol.GatewayCommand;
import io.wasmfleet.protocol.StartArgs;
import io.wasmfleet.protocol.WireFormatException;
import io.wasmfleet.protocol.WireParams;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * One board: owns its link (kept open, reconnected with backoff), sends one command at a time
 * and waits for its direct reply, and tracks every slot (empty, loading, loaded, running,
 * stopping) from what the board says. RESULT lines, which come whenever a job ends, go to the
 * slot of their {@code module_id}, or, when a firmware 1.0.0 board leaves it out, to the job
 * started last. The board is the source of truth: on connect, after a HELLO (a reboot), after a
 * reply that did not come in time and after a failed LOAD it re-reads STATUS, and only a
 * {@code STATUS_OK} line rebuilds the view. A link loss or a reboot ends every operation in
 * flight and stops a payload being written at once.
 *
 * <p>A replace (in place, or over a victim) that fails after the board destroyed the old module
 * is rolled back: the gateway keeps the last good artifact of every module it loaded and, once
 * STATUS shows the old module gone, loads it again before it answers.
 *
 * <p>States: {@link #disconnected}, {@link #idle}, {@link #awaiting} (a command, or the
 * gateway's own STATUS, awaits its reply). Requests that arrive meanwhile are stashed.
 */
public final class DeviceActor {

  public static final ServiceKey<Command> ALL_BOARDS = ServiceKey.create(Command.class, "boards");

  /** The key under which the board {@code id} is found, on any node. */
  public static ServiceKey<Command> key(String id) {
    return ServiceKey.create(Command.class, "board-" + id);
  }

  public sealed interface Command {}

  /**
   * LOAD: the payload goes to the board after LOAD_READY. A victim implies replace.
   * {@code simCompiled} asks a simulated board to run the wasm compiled (its stand-in for AOT).
   */
  public record Load(String moduleId, byte[] payload, boolean replace, String replaceVictim, boolean simCompiled,
      boolean rollback, ActorRef<Answer> replyTo) implements Command, CborSerializable {

    public Load(String moduleId, byte[] payload, boolean replace, String replaceVictim, boolean simCompiled,
        ActorRef<Answer> replyTo) {
      this(moduleId, payload, replace, replaceVictim, simCompiled, true, replyTo);
    }

    public Load(String moduleId, byte[] payload, boolean replace, String replaceVictim, ActorRef<Answer> replyTo) {
      this(moduleId, payload, replace, replaceVictim, false, true, replyTo);
    }
  }

  /** START; with {@code waitResult} the answer is the job's RESULT. */
  public record Start(String moduleId, String func, String args, boolean waitResult, Duration resultTimeout,
      ActorRef<Answer> replyTo) implements Command, CborSerializable {}

  /** STOP; after STOP_OK status=PENDING the answer is the job's RESULT. */
  public record Stop(String moduleId, Duration resultTimeout, ActorRef<Answer> replyTo)
      implements Command, CborSerializable {}

  /** STATUS, asked of the board now. */
  public record Status(ActorRef<Answer> replyTo) implements Command, CborSerializable {}

  /** What the gateway knows of the board, without asking it. */
  public record GetState(ActorRef<BoardState> replyTo) implements Command, CborSerializable {}

  /** Sent to network boards now and then so a board re-homed after a node failure starts again. */
  public enum KeepAlive implements Command, CborSerializable { INSTANCE }

  /** The last console lines the board printed (module output, kernel messages). */
  public record GetConsole(ActorRef<ConsoleLines> replyTo) implements Command, CborSerializable {}

  /**
   * The final answer to a request: {@code detail} is the board's final line when ok. A replace
   * that failed after the board destroyed the module it replaced says whether the gateway put
   * that module back: {@code rolledBack} true, or {@code rollbackFailed} with the reason.
   */
  public record Answer(boolean ok, String detail, String error, Boolean rolledBack, String rollbackFailed)
      implements CborSerializable {

    public Answer(boolean ok, String detail, String error) {
      this(ok, detail, error, null, null);
    }

    Answer withRolledBack() {
      return new Answer(ok, detail, error, true, null);
    }

    Answer withRollbackFailed(String why) {
      return new Answer(ok, detail, error, null, why);
    }

    public static Answer ok(String detail) {
      return new Answer(true, detail, null);
    }

    public static Answer error(String error) {
      return new Answer(false, null, error);
    }

    /** A board line: ok only for the statuses that mean success. */
    static Answer of(boolean ok, String line) {
      return ok ? ok(line) : error(line);
    }
  }

  /** A module slot as the gateway sees it. */
  public record ModuleView(String id, String phase, String func, long lastUsedMillis, long wasmBytes)
      implements CborSerializable {

    public boolean idle() {
      return phase.equals("LOADED");
    }
  }

  /**
   * What the gateway knows of a board: its configuration, link, modules and last pool figures;
   * {@code simulated} when it is tagged so or said {@code sim=1} in its HELLO; {@code reported}:
   * what its last HELLO said (rtos, runtime, fw_version, and appended keys: board, clock_mhz, fpu, caps).
   */
  public record BoardState(BoardConfig config, String link, List<ModuleView> modules, StatusOk.PoolFigures pool,
      String lastError, boolean simulated, String node, Map<String, String> reported) implements CborSerializable {

    public BoardState {
      reported = reported == null ? Map.of() : Map.copyOf(reported);
    }

    public BoardState(BoardConfig config, String link, List<ModuleView> modules, StatusOk.PoolFigures pool,
        String lastError, boolean simulated, String node) {
      this(config, link, modules, pool, lastError, simulated, node, Map.of());
    }

    public String board() {
      return config.id();
    }
  }

  /** The last console lines; {@code total} counts every line ever kept, so a follower prints only new ones. */
  public record ConsoleLines(String board, List<String> lines, long total) implements CborSerializable {}

  // ---- private messages ---------------------------------------------------------------------

  private record Connected(BoardConnection connection, long generation) implements Command {}

  private record ConnectFailed(String reason, long generation) implements Command {}

  private record LineReceived(String line, long generation) implements Command {}

  private record LinkClosed(String reason, long generation) implements Command {}

  private enum Reconnect implements Command { INSTANCE }

  private enum ConnectWaitExpired implements Command { INSTANCE }

  private record OpTimeout(long opId, String waitingFor, Duration after) implements Command {}

  /** A slot's RESULT waiter's timer (the slots are values; their timers are this actor's). */
  private record WaiterTimedOut(ModuleSlot slot, long waiter) implements Command {}

  private record PayloadWritten(long opId, Throwable failure) implements Command {}

  // ---- commands in flight -------------------------------------------------------------------

  /** The command that awaits its direct reply. {@code replyTo} is null for the gateway's own STATUS. */
  private sealed interface Op {
    long id();

    ActorRef<Answer> replyTo();
  }

  /**
   * {@code slot}: where the board put the module (known from LOAD_READY on; -1 before).
   * {@code rollback}: the module this replace destroys on the board (null when none), to be
   * loaded again if the replace fails. {@code restoring}: set when this LOAD is itself a rollback.
   */
  private record LoadOp(long id, Load request, GatewayCommand.Load command, boolean payloadSent, int slot,
      Artifact rollback, PendingRollback restoring) implements Op {
    public ActorRef<Answer> replyTo() {
      return request.replyTo();
    }

    LoadOp sending(int toSlot) {
      return new LoadOp(id, request, command, true, toSlot, rollback, restoring);
    }
  }

  private record StartOp(long id, Start request, GatewayCommand.Start command) implements Op {
    public ActorRef<Answer> replyTo() {
      return request.replyTo();
    }
  }

  private record StopOp(long id, Stop request) implements Op {
    public ActorRef<Answer> replyTo() {
      return request.replyTo();
    }
  }

  /**
   * STATUS: a request's ({@code replyTo}) or the gateway's own re-read. {@code late} is a
   * request whose reply did not come in time ({@code lateReason} says which): it is answered
   * from its reply if that still comes, else from what this STATUS shows.
   */
  private record StatusOp(long id, ActorRef<Answer> replyTo, int resends, Op late, String lateReason)
      implements Op {}

  /** A module as it was loaded, kept to load it again when a replace of it fails. */
  private record Artifact(String moduleId, byte[] payload, boolean simCompiled) {}

  /** A failed replace, answered once STATUS shows whether the old module must be loaded again. */
  private record PendingRollback(LoadOp op, Answer failure) {}

  /**
   * What a reply line did to the command awaiting it: not its reply ({@code handled} false),
   * a next step to wait for ({@code next}), or the end, with the answer (null when a slot
   * answers later) and whether the board must be re-read.
   */
  private record Step(boolean handled, Op next, Answer answer, boolean resync) {
    static final Step UNRELATED = new Step(false, null, null, false);

    static Step waiting(Op next) {
      return new Step(true, next, null, false);
    }

    static Step finished(Answer answer, boolean resync) {
      return new Step(true, null, answer, resync);
    }
  }

  private static final Set<String> IMMEDIATE_START_REFUSALS =
      Set.of("BAD_PARAMS", "NO_MODULE", "BUSY", "NO_MEM", "NO_ENTRYPOINT");

  /** How often a STATUS is sent again when a leftover ERROR or LOAD_ERR came instead of STATUS_OK. */
  private static final int STATUS_RESENDS = 3;

  public static Behavior<Command> create(BoardConfig board, DeviceTimeouts timeouts, Executor blockingIo) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> Behaviors.withStash(timeouts.stashCapacity(),
        stash -> new DeviceActor(context, timers, stash, board, timeouts, blockingIo).start())));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final StashBuffer<Command> stash;
  private final BoardConfig board;
  private final DeviceTimeouts timeouts;
  private final Executor blockingIo;
  private final String nodeName;

  /** The board's slots, which module is in which, and the built-ins (plain logic, see SlotTable). */
  private final SlotTable slots;
  private final Map<String, Artifact> artifacts = new HashMap<>();
  private final ArrayDeque<String> console = new ArrayDeque<>();
  private String lastStarted;
  private StatusOk.PoolFigures pool;
  private BoardConnection connection;
  private long generation;
  private long nextId;
  private Duration backoff;
  private String lastError = "not connected yet";
  private boolean waitedOut;
  private int silentSyncs;
  private long consoleTotal;
  private boolean simulated;
  /** What the last HELLO said: rtos, runtime, fw_version and the keys our firmware appends. */
  private Map<String, String> reported = Map.of();
  private PendingRollback pendingRollback;
  private boolean payloadCut;

  private DeviceActor(ActorContext<Command> context, TimerScheduler<Command> timers, StashBuffer<Command> stash,
      BoardConfig board, DeviceTimeouts timeouts, Executor blockingIo) {
    this.context = context;
    this.timers = timers;
    this.stash = stash;
    this.board = board;
    this.timeouts = timeouts;
    this.blockingIo = blockingIo;
    this.backoff = timeouts.reconnectMin();
    this.nodeName = context.getSystem().settings().config().getString("wasmfleet.gateway.node-name");
    this.slots = new SlotTable(board.id(), board.slots(), new ModuleSlot.Timers() {
      @Override
      public void start(ModuleSlot slot, long waiter, Duration after) {
        timers.startSingleTimer(new WaiterTimedOut(slot, waiter), after);
      }

      @Override
      public void cancel(ModuleSlot slot, long waiter) {
        timers.cancel(new WaiterTimedOut(slot, waiter));
      }
    });
  }

  private Behavior<Command> start() {
    context.getSystem().receptionist().tell(Receptionist.register(key(board.id()), context.getSelf()));
    context.getSystem().receptionist().tell(Receptionist.register(ALL_BOARDS, context.getSelf()));
    connect();
    return disconnected();
  }

  // ---- disconnected -------------------------------------------------------------------------

  /**
   * A stopped DeviceActor (handed to another node, shutdown) lets go of its link at once, and
   * answers what it was asked and can no longer finish: nothing is left waiting for a timeout.
   */
  private Behavior<Command> onPostStop(Op op) {
    String error = "board " + board.id() + " moved to another node (or node " + nodeName
        + " stopped) while the request was in flight; its outcome on the board is unknown: ask again";
    endInFlight(op, error);
    stash.forEach(request -> failRequest(request, error));
    stash.clear();
    if (pendingRollback != null) {
      reply(pendingRollback.op(), pendingRollback.failure().withRollbackFailed(error));
      pendingRollback = null;
    }
    return onPostStop();
  }

  /** A stopped DeviceActor (handoff, shutdown) lets go of its link at once; RESULT waiters are answered. */
  private Behavior<Command> onPostStop() {
    slots.ownerStopped();
    generation++;
    if (connection != null) {
      connection.close();
      connection = null;
    }
    return Behaviors.same();
  }

  private Behavior<Command> disconnected() {
    return Behaviors.receive(Command.class)
        .onSignal(PostStop.class, signal -> onPostStop(null))
        .onMessage(WaiterTimedOut.class, this::onWaiterTimedOut)
        .onMessageEquals(KeepAlive.INSTANCE, Behaviors::same)
        .onMessage(Connected.class, this::onConnected)
        .onMessage(ConnectFailed.class, this::onConnectFailed)
        .onMessageEquals(Reconnect.INSTANCE, () -> {
          connect();
          return Behaviors.same();
        })
        .onMessageEquals(ConnectWaitExpired.INSTANCE, this::onConnectWaitExpired)
        .onMessage(GetState.class, this::onGetState)
        .onMessage(GetConsole.class, this::onGetConsole)
        .onMessage(LineReceived.class, m -> Behaviors.same())
        .onMessage(LinkClosed.class, m -> Behaviors.same())
        .onMessage(PayloadWritten.class, m -> Behaviors.same())
        .onMessage(OpTimeout.class, m -> Behaviors.same())
        .onAnyMessage(this::stashWhileDisconnected)
        .build();
  }

  private void connect() {
    long gen = ++generation;
    String name = "board-" + board.id();
    java.util.concurrent.CompletionStage<BoardConnection> opening = BoardConnection.open(context.getSystem(),
        board.endpoint(), board.baud(), timeouts.payloadLead(), timeouts.connect(), name, blockingIo);
    context.pipeToSelf(opening, (c, failure) -> failure == null
        ? new Connected(c, gen)
        : new ConnectFailed(rootMessage(failure), gen));
  }

  private static String rootMessage(Throwable t) {
    Throwable cause = t;
    while (cause.getCause() != null && (cause.getMessage() == null || cause instanceof java.util.concurrent.CompletionException)) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  private Behavior<Command> onConnected(Connected m) {
    if (m.generation() != generation) {
      m.connection().close();
      return Behaviors.same();
    }
    connection = m.connection();
    long gen = generation;
    ActorRef<Command> self = context.getSelf();
    connection.start(line -> self.tell(new LineReceived(line, gen)), reason -> self.tell(new LinkClosed(reason, gen)));
    context.getLog().info("board {}: connected to {}", board.id(), board.endpoint());
    backoff = timeouts.reconnectMin();
    waitedOut = false;
    timers.cancel(ConnectWaitExpired.INSTANCE);
    // A payload cut by the lost link may still be awaited by the board, which then takes our
    // STATUS for payload bytes and answers only when its own payload timeout ends it.
    Duration extra = payloadCut ? timeouts.boardPayloadTimeout() : Duration.ZERO;
    payloadCut = false;
    return syncAfter(extra);
  }

  private Behavior<Command> onConnectFailed(ConnectFailed m) {
    if (m.generation() != generation) {
      return Behaviors.same();
    }
    if (!m.reason().equals(lastError)) {
      context.getLog().warn("board {}: cannot connect: {} (retrying)", board.id(), m.reason());
    }
    lastError = m.reason();
    timers.startSingleTimer(Reconnect.INSTANCE, backoff);
    backoff = backoff.multipliedBy(2).compareTo(timeouts.reconnectMax()) > 0 ? timeouts.reconnectMax() : backoff.multipliedBy(2);
    return Behaviors.same();
  }

  private Behavior<Command> stashWhileDisconnected(Command request) {
    if (waitedOut) {
      failRequest(request, unreachable());
      return Behaviors.same();
    }
    startConnectWait();
    stashOrFail(request);
    return Behaviors.same();
  }

  private void startConnectWait() {
    if (!timers.isTimerActive(ConnectWaitExpired.INSTANCE)) {
      timers.startSingleTimer(ConnectWaitExpired.INSTANCE, timeouts.connectWait());
    }
  }

  private String unreachable() {
    return "board " + board.id() + " is not reachable at " + board.endpoint() + ": " + lastError;
  }

  private Behavior<Command> onConnectWaitExpired() {
    waitedOut = true;
    String error = unreachable();
    stash.forEach(request -> failRequest(request, error));
    stash.clear();
    if (pendingRollback != null) {
      reply(pendingRollback.op(), pendingRollback.failure().withRollbackFailed(error));
      pendingRollback = null;
    }
    return Behaviors.same();
  }

  private void stashOrFail(Command request) {
    if (stash.isFull()) {
      failRequest(request, "board " + board.id() + " is busy: " + stash.size() + " requests are waiting");
    } else {
      stash.stash(request);
    }
  }

  private static void failRequest(Command request, String error) {
    ActorRef<Answer> replyTo = null;
    if (request instanceof Load l) {
      replyTo = l.replyTo();
    } else if (request instanceof Start s) {
      replyTo = s.replyTo();
    } else if (request instanceof Stop s) {
      replyTo = s.replyTo();
    } else if (request instanceof Status s) {
      replyTo = s.replyTo();
    }
    if (replyTo != null) {
      replyTo.tell(Answer.error(error));
    }
  }

  /** The link is gone: every operation in flight ends now; the view waits for the next STATUS_OK. */
  private Behavior<Command> onLinkClosed(LinkClosed m, Op inFlight) {
    if (m.generation() != generation) {
      return Behaviors.same();
    }
    context.getLog().warn("board {}: link lost: {}", board.id(), m.reason());
    lastError = "link lost: " + m.reason();
    payloadCut = inFlight instanceof LoadOp load && load.payloadSent();
    connection.cancelPayloads();
    connection = null;
    timers.cancel("op");
    String error = "link to board " + board.id() + " lost: " + m.reason();
    endInFlight(inFlight, error);
    slots.linkLost(error);
    if (pendingRollback != null) {
      startConnectWait();
    }
    timers.startSingleTimer(Reconnect.INSTANCE, backoff);
    return disconnected();
  }

  /** Answers the command in flight, and a late one the re-read was waiting for, with {@code error}. */
  private void endInFlight(Op op, String error) {
    if (op instanceof StatusOp status && status.late() != null) {
      finish(status.late(), Answer.error(status.lateReason() + "; then " + error));
    }
    if (op != null) {
      finish(op, Answer.error(error));
    }
  }

  // ---- re-reading the board: STATUS after connect, reboot, a late reply or a failed LOAD ----

  private Behavior<Command> sync() {
    return reRead(null, null, Duration.ZERO);
  }

  private Behavior<Command> sync(Op late, String lateReason) {
    return reRead(late, lateReason, Duration.ZERO);
  }

  /** A re-read that allows the board {@code extra} time before it answers. */
  private Behavior<Command> syncAfter(Duration extra) {
    return reRead(null, null, extra);
  }

  private Behavior<Command> reRead(Op late, String lateReason, Duration extra) {
    StatusOp op = new StatusOp(++nextId, null, 0, late, lateReason);
    send(new GatewayCommand.Status(), op, "STATUS_OK", timeouts.status().plus(extra));
    return awaiting(op);
  }

  /** A STATUS awaits its reply: only STATUS_OK ends it; a late command's reply is still taken. */
  private Behavior<Command> onStatusLine(DeviceLine line, StatusOp op) {
    if (line instanceof StatusOk status) {
      timers.cancel("op");
      reconcile(status);
      silentSyncs = 0;
      if (op.replyTo() != null) {
        op.replyTo().tell(Answer.ok(line.format()));
      }
      if (op.late() != null) {
        finish(op.late(), lateAnswer(op.late(), op.lateReason(), status));
      }
      return afterStatus(status);
    }
    boolean handled = false;
    StatusOp current = op;
    if (op.late() != null) {
      Step step = replyStep(line, op.late(), true);
      if (step.handled()) {
        handled = true;
        if (step.answer() != null) {
          finish(op.late(), step.answer());
        }
        current = new StatusOp(op.id(), op.replyTo(), op.resends(), null, null);
      }
    }
    if ((line instanceof DeviceLine.DeviceError || line instanceof DeviceLine.LoadErr)
        && current.resends() < STATUS_RESENDS) {
      // Our STATUS may have completed a payload the board was still reading (after a cut link):
      // what came is the leftover's reply, not STATUS_OK. Ask again.
      if (!handled) {
        keepConsole(line.format());
      }
      StatusOp again = new StatusOp(++nextId, current.replyTo(), current.resends() + 1, current.late(),
          current.lateReason());
      send(new GatewayCommand.Status(), again, "STATUS_OK", timeouts.status());
      return awaiting(again);
    }
    if (!handled) {
      unexpected(line);
    }
    return current == op ? Behaviors.same() : awaiting(current);
  }

  /** What a request whose reply never came is told, once STATUS shows what the board did. */
  private static Answer lateAnswer(Op late, String reason, StatusOk status) {
    String id = late instanceof LoadOp l ? l.command().moduleId()
        : late instanceof StartOp s ? s.command().moduleId() : ((StopOp) late).request().moduleId();
    String now = status.modules().stream().filter(e -> e.id().equals(id)).findFirst()
        .map(e -> id + " " + (e.running() ? "RUNNING" : "LOADED")).orElse(id + " is not loaded");
    return Answer.error(reason + "; the board's STATUS afterwards: " + now);
  }

  /** After a STATUS_OK: a failed replace is rolled back if the board lost the old module. */
  private Behavior<Command> afterStatus(StatusOk status) {
    if (pendingRollback == null) {
      return stash.unstashAll(idle());
    }
    PendingRollback p = pendingRollback;
    pendingRollback = null;
    Artifact old = p.op().rollback();
    if (status.modules().stream().anyMatch(e -> e.id().equals(old.moduleId()))) {
      reply(p.op(), p.failure()); // the board kept the old module: nothing to undo
      return stash.unstashAll(idle());
    }
    if (old.payload() == null) {
      reply(p.op(), p.failure().withRollbackFailed("the gateway kept no copy of " + old.moduleId()
          + " (it was not loaded through this gateway since it started)"));
      return stash.unstashAll(idle());
    }
    GatewayCommand.Load command = new GatewayCommand.Load(old.moduleId(), old.payload().length,
        io.wasmfleet.protocol.Crc32.of(old.payload()), false, null, simExec(old.simCompiled()));
    Load restore = new Load(old.moduleId(), old.payload(), false, null, old.simCompiled(), false,
        p.op().replyTo());
    context.getLog().info("board {}: the replace of {} failed; loading {} again", board.id(),
        old.moduleId(), old.moduleId());
    LoadOp op = new LoadOp(++nextId, restore, command, false, -1, null, p);
    send(command, op, "LOAD_READY", timeouts.loadReady());
    return awaiting(op);
  }

  private static WireParams simExec(boolean compiled) {
    return compiled ? WireParams.builder().add("sim_exec", "compiled").build() : WireParams.EMPTY;
  }

  // ---- idle ---------------------------------------------------------------------------------

  private Behavior<Command> idle() {
    return Behaviors.receive(Command.class)
        .onSignal(PostStop.class, signal -> onPostStop())
        .onMessage(WaiterTimedOut.class, this::onWaiterTimedOut)
        .onMessageEquals(KeepAlive.INSTANCE, Behaviors::same)
        .onMessage(Load.class, this::onLoad)
        .onMessage(Start.class, this::onStart)
        .onMessage(Stop.class, this::onStop)
        .onMessage(Status.class, this::onStatus)
        .onMessage(GetState.class, this::onGetState)
        .onMessage(GetConsole.class, this::onGetConsole)
        .onMessage(LineReceived.class, m -> onLine(m, null))
        .onMessage(LinkClosed.class, m -> onLinkClosed(m, null))
        .onMessage(Connected.class, m -> {
          m.connection().close();
          return Behaviors.same();
        })
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> onLoad(Load request) {
    GatewayCommand.Load command;
    try {
      command = new GatewayCommand.Load(request.moduleId(), request.payload().length,
          io.wasmfleet.protocol.Crc32.of(request.payload()), request.replace(), request.replaceVictim(),
          simExec(request.simCompiled()));
    } catch (WireFormatException e) {
      request.replyTo().tell(Answer.error(e.getMessage()));
      return Behaviors.same();
    }
    LoadOp op = new LoadOp(++nextId, request, command, false, -1, rollbackOf(request, command), null);
    send(command, op, "LOAD_READY", timeouts.loadReady());
    return awaiting(op);
  }

  /** The module a replace destroys on a firmware 1.0.0 board before the new payload is checked. */
  private Artifact rollbackOf(Load request, GatewayCommand.Load command) {
    if (!request.rollback() || !command.replace()) {
      return null;
    }
    String lost = slots.holds(command.moduleId()) ? command.moduleId()
        : command.replaceVictim() != null && slots.holds(command.replaceVictim())
            ? command.replaceVictim() : null;
    if (lost == null) {
      return null;
    }
    return artifacts.getOrDefault(lost, new Artifact(lost, null, false));
  }

  private Behavior<Command> onStart(Start request) {
    GatewayCommand.Start command;
    try {
      command = new GatewayCommand.Start(request.moduleId(), request.func(), StartArgs.parse(request.args()));
    } catch (WireFormatException e) {
      request.replyTo().tell(Answer.error(e.getMessage()));
      return Behaviors.same();
    }
    StartOp op = new StartOp(++nextId, request, command);
    send(command, op, "START_OK", timeouts.reply());
    return awaiting(op);
  }

  private Behavior<Command> onStop(Stop request) {
    GatewayCommand.Stop command;
    try {
      command = new GatewayCommand.Stop(request.moduleId());
    } catch (WireFormatException e) {
      request.replyTo().tell(Answer.error(e.getMessage()));
      return Behaviors.same();
    }
    StopOp op = new StopOp(++nextId, request);
    send(command, op, "STOP_OK", timeouts.reply());
    return awaiting(op);
  }

  private Behavior<Command> onStatus(Status request) {
    StatusOp op = new StatusOp(++nextId, request.replyTo(), 0, null, null);
    send(new GatewayCommand.Status(), op, "STATUS_OK", timeouts.status());
    return awaiting(op);
  }

  private void send(GatewayCommand command, Op op, String waitingFor, Duration timeout) {
    connection.writeLine(command.format());
    timers.startSingleTimer("op", new OpTimeout(op.id(), waitingFor, timeout), timeout);
  }

  // ---- awaiting a direct reply --------------------------------------------------------------

  private Behavior<Command> awaiting(Op op) {
    return Behaviors.receive(Command.class)
        .onSignal(PostStop.class, signal -> onPostStop(op))
        .onMessage(WaiterTimedOut.class, this::onWaiterTimedOut)
        .onMessageEquals(KeepAlive.INSTANCE, Behaviors::same)
        .onMessage(LineReceived.class, m -> onLine(m, op))
        .onMessage(PayloadWritten.class, m -> onPayloadWritten(m, op))
        .onMessage(OpTimeout.class, m -> onOpTimeout(m, op))
        .onMessage(LinkClosed.class, m -> onLinkClosed(m, op))
        .onMessage(GetState.class, this::onGetState)
        .onMessage(GetConsole.class, this::onGetConsole)
        .onMessage(Connected.class, m -> {
          m.connection().close();
          return Behaviors.same();
        })
        .onMessage(ConnectFailed.class, m -> Behaviors.same())
        .onMessageEquals(Reconnect.INSTANCE, Behaviors::same)
        .onMessageEquals(ConnectWaitExpired.INSTANCE, Behaviors::same)
        .onAnyMessage(request -> {
          stashOrFail(request);
          return Behaviors.same();
        })
        .build();
  }

  /** Ends {@code op}'s wait as {@code step} says. */
  private Behavior<Command> apply(Op op, Step step) {
    if (step.next() != null) {
      return awaiting(step.next());
    }
    timers.cancel("op");
    if (step.answer() != null) {
      finish(op, step.answer());
    }
    return step.resync() || pendingRollback != null ? sync() : stash.unstashAll(idle());
  }

  /**
   * Answers {@code op}. A rollback LOAD answers the replace it undoes; a failed replace waits for
   * the next STATUS_OK ({@link #afterStatus}) to know whether the old module must be loaded again.
   */
  private void finish(Op op, Answer answer) {
    if (op instanceof LoadOp load && load.restoring() != null) {
      PendingRollback undone = load.restoring();
      reply(undone.op(), answer.ok() ? undone.failure().withRolledBack()
          : undone.failure().withRollbackFailed("loading " + load.command().moduleId() + " again failed: "
              + answer.error()));
      return;
    }
    if (op instanceof LoadOp load && !answer.ok() && load.rollback() != null) {
      pendingRollback = new PendingRollback(load, answer);
      return;
    }
    reply(op, answer);
  }

  private static void reply(Op op, Answer answer) {
    if (op.replyTo() != null) {
      op.replyTo().tell(answer);
    }
  }

  /**
   * A reply did not come in time. The board's state is unknown: re-read it, and answer the
   * request from its reply if that still comes, else from what STATUS shows.
   */
  private Behavior<Command> onOpTimeout(OpTimeout m, Op op) {
    if (m.opId() != op.id()) {
      return Behaviors.same();
    }
    String error = "no " + m.waitingFor() + " from board " + board.id() + " within " + m.after().toMillis() + " ms";
    context.getLog().warn("board {}: {}", board.id(), error);
    connection.cancelPayloads();
    if (op instanceof StatusOp status && status.replyTo() == null) {
      if (status.late() != null) {
        finish(status.late(), Answer.error(status.lateReason() + "; the board did not answer STATUS either"));
      }
      if (++silentSyncs >= 2) {
        // Our own re-reads of STATUS went unanswered twice: the board does not answer. Nobody waits silently.
        String refusal = "board " + board.id() + " does not answer (" + error + "); retrying";
        stash.forEach(request -> failRequest(request, refusal));
        stash.clear();
        if (pendingRollback != null) {
          reply(pendingRollback.op(), pendingRollback.failure().withRollbackFailed(refusal));
          pendingRollback = null;
        }
      }
      return syncAfter(Duration.ZERO);
    }
    if (op instanceof LoadOp load && load.slot() >= 0) {
      slots.loadFailed(load.slot()); // STATUS says what is there now
    }
    if (op instanceof StatusOp || op instanceof LoadOp load && load.restoring() != null) {
      finish(op, Answer.error(error)); // a re-read would only ask the same again
      return sync();
    }
    return sync(op, error);
  }

  private Behavior<Command> onPayloadWritten(PayloadWritten m, Op op) {
    if (m.failure() == null || m.failure() instanceof BoardConnection.PayloadCancelled
        || !(op instanceof LoadOp load) || load.id() != m.opId()) {
      return Behaviors.same();
    }
    timers.cancel("op");
    if (load.slot() >= 0) {
      slots.loadFailed(load.slot());
    }
    finish(op, Answer.error("sending the payload to board " + board.id() + " failed: " + rootMessage(m.failure())));
    return sync();
  }

  /** A line from the board; {@code op} is the command awaiting its reply, or null. */
  private Behavior<Command> onLine(LineReceived m, Op op) {
    if (m.generation() != generation) {
      return Behaviors.same();
    }
    DeviceLine line = DeviceLine.parse(m.line());
    if (line instanceof DeviceLine.Console c) {
      keepConsole(c.text());
      return Behaviors.same();
    }
    if (line instanceof DeviceLine.Hello h) {
      return onHello(h, op);
    }
    if (line instanceof DeviceLine.Result r) {
      return onResult(r, op);
    }
    if (op == null) {
      if (line instanceof StatusOk status) {
        reconcile(status); // a late STATUS_OK: still the board's truth
        return Behaviors.same();
      }
      return unexpected(line);
    }
    if (op instanceof StatusOp status) {
      return onStatusLine(line, status);
    }
    Step step = replyStep(line, op, false);
    return step.handled() ? apply(op, step) : unexpected(line);
  }

  private Behavior<Command> unexpected(DeviceLine line) {
    context.getLog().debug("board {}: unexpected line kept as console: {}", board.id(), line.format());
    keepConsole(line.format());
    return Behaviors.same();
  }

  private void keepConsole(String text) {
    consoleTotal++;
    console.addLast(text);
    while (console.size() > timeouts.consoleLines()) {
      console.removeFirst();
    }
  }

  /** A HELLO: the board booted. Unless it is the first one, every operation in flight ends. */
  private Behavior<Command> onHello(DeviceLine.Hello hello, Op op) {
    keepConsole(hello.format());
    simulated = "1".equals(hello.extra().get("sim").orElse(null));
    Map<String, String> said = new HashMap<>(hello.extra().asList().stream()
        .collect(java.util.stream.Collectors.toMap(WireParams.Param::key, WireParams.Param::value, (a, b) -> b)));
    said.put("rtos", hello.rtos());
    said.put("runtime", hello.runtime());
    said.put("fw_version", hello.fwVersion());
    reported = said;
    slots.knowBuiltins(List.of(said.getOrDefault("caps", "").split(",")).contains("native"));
    boolean expected = op instanceof StatusOp status && status.replyTo() == null && status.late() == null
        && slots.isEmpty() && pendingRollback == null;
    if (expected) {
      return Behaviors.same();
    }
    connection.cancelPayloads(); // never feed the rest of a payload to a fresh board as command lines
    context.getLog().warn("board {}: rebooted (HELLO device_id={}); its modules are gone", board.id(), hello.deviceId());
    String error = "board " + board.id() + " rebooted; its modules are gone";
    timers.cancel("op");
    endInFlight(op, error);
    slots.rebooted(error);
    lastStarted = null;
    return sync();
  }

  /** What {@code line} does to {@code op}; {@code late}: the op's wait already timed out. */
  private Step replyStep(DeviceLine line, Op op, boolean late) {
    if (op instanceof LoadOp load) {
      return loadStep(line, load, late);
    }
    if (op instanceof StartOp start) {
      return startStep(line, start);
    }
    if (op instanceof StopOp stop) {
      return stopStep(line, stop);
    }
    return Step.UNRELATED;
  }

  private Step loadStep(DeviceLine line, LoadOp op, boolean late) {
    if (line instanceof DeviceLine.LoadReady ready && !op.payloadSent()) {
      if (!ready.moduleId().equals(op.command().moduleId()) || ready.size() != op.command().size()) {
        return Step.UNRELATED;
      }
      if (late) {
        // STATUS went out meanwhile and may sit inside the payload's place: the board abandons this load
        return Step.finished(Answer.error("no LOAD_READY from board " + board.id() + " in time; it came late,"
            + " so the payload was not sent and the board abandons the load"), false);
      }
      long id = op.id();
      context.pipeToSelf(connection.writePayload(op.request().payload()),
          (ok, failure) -> new PayloadWritten(id, failure));
      Duration wait = timeouts.payloadTime(op.command().size(), board.baud()).plus(timeouts.loadOk());
      int slot = slots.slotFor(op.command().moduleId(), op.command().replaceVictim());
      if (slot >= 0) {
        slots.loading(slot, op.command().moduleId(), op.command().size());
      }
      timers.startSingleTimer("op", new OpTimeout(op.id(), "LOAD_OK", wait), wait);
      return Step.waiting(op.sending(slot));
    }
    if (line instanceof DeviceLine.LoadOk) {
      artifacts.put(op.command().moduleId(), new Artifact(op.command().moduleId(), op.request().payload(),
          op.request().simCompiled()));
      if (op.slot() < 0) {
        return Step.finished(Answer.ok(line.format()), true); // the board used a slot we did not know was free
      }
      slots.loaded(op.slot(), op.command().moduleId());
      return Step.finished(Answer.ok(line.format()), false);
    }
    if (line instanceof DeviceLine.LoadErr) {
      if (op.slot() >= 0) {
        slots.loadFailed(op.slot());
      }
      // Which slot the board emptied depends on where it failed: ask it.
      return Step.finished(Answer.error(line.format()), true);
    }
    return errorStep(line);
  }

  private static Step errorStep(DeviceLine line) {
    return line instanceof DeviceLine.DeviceError ? Step.finished(Answer.error(line.format()), false) : Step.UNRELATED;
  }


  private Step startStep(DeviceLine line, StartOp op) {
    if (!(line instanceof DeviceLine.StartOk)) {
      return errorStep(line);
    }
    String id = op.command().moduleId();
    String func = op.command().func() == null ? "app_main" : op.command().func();
    ModuleSlot slot = slots.slotOf(id);
    if (slot == null) {
      // a module the gateway did not know of (loaded by someone else): read the board
      return Step.finished(op.request().waitResult()
          ? Answer.error(id + " was started, but it was not loaded through this gateway; try again")
          : Answer.ok(line.format()), true);
    }
    slot.started(func);
    lastStarted = id;
    if (op.request().waitResult()) {
      slot.awaitResult(op.replyTo(), true, op.request().resultTimeout());
      return Step.finished(null, false);
    }
    return Step.finished(Answer.ok(line.format()), false);
  }

  private Step stopStep(DeviceLine line, StopOp op) {
    if (!(line instanceof DeviceLine.StopOk stopOk)) {
      return errorStep(line);
    }
    ModuleSlot slot = slots.slotOf(op.request().moduleId());
    if (stopOk.status().equals(DeviceLine.StopOk.PENDING) && slot != null) {
      slot.stopPending();
      slot.awaitResult(op.replyTo(), false, op.request().resultTimeout());
      return Step.finished(null, false);
    }
    if (slot != null) {
      slot.jobGone();
    }
    return Step.finished(Answer.ok(line.format()), false);
  }

  /** The board is the source of truth: each slot adopts what STATUS lists, or is cleared. */
  private void reconcile(StatusOk status) {
    pool = status.pool();
    // only the simulator appends sim_exec: a board first met after its HELLO is still told apart
    simulated = simulated || status.extra().get("sim_exec").isPresent();
    // our firmware repeats its caps on STATUS: known even when its HELLO was not seen
    status.extra().get("caps").ifPresent(caps -> {
      Map<String, String> now = new HashMap<>(reported);
      now.put("caps", caps);
      reported = now;
      slots.knowBuiltins(List.of(caps.split(",")).contains("native"));
    });
    slots.reconcile(status.modules());
    artifacts.keySet().retainAll(slots.modules());
  }

  // ---- RESULT -------------------------------------------------------------------------------

  private Behavior<Command> onResult(DeviceLine.Result result, Op op) {
    if (op instanceof StartOp start && isImmediateReply(result, start)) {
      return apply(op, Step.finished(Answer.of(result.isOk(), result.format()), false));
    }
    if (op instanceof StatusOp status && status.late() instanceof StartOp start && isImmediateReply(result, start)) {
      finish(start, Answer.of(result.isOk(), result.format()));
      return awaiting(new StatusOp(status.id(), status.replyTo(), status.resends(), null, null));
    }
    String id = result.moduleId();
    if (id == null) {
      // NO_FUNC / NO_EXEC_ENV from a firmware 1.0.0 board: they follow the START_OK of the job started last.
      id = lastStarted;
      context.getLog().debug("board {}: {} without module_id attributed to {}", board.id(), result.status(), id);
    }
    ModuleSlot slot = slots.slotOf(id);
    if (slot == null) {
      keepConsole(result.format());
      return Behaviors.same();
    }
    slot.finished(result.format(), result.isOk());
    if (id.equals(lastStarted)) {
      lastStarted = null;
    }
    return Behaviors.same();
  }

  /** A RESULT that answers a START before any START_OK: a refusal, for this module or with no id. */
  private static boolean isImmediateReply(DeviceLine.Result result, StartOp start) {
    boolean forThisModule = result.moduleId() == null || result.moduleId().equals(start.command().moduleId());
    return forThisModule && IMMEDIATE_START_REFUSALS.contains(result.status());
  }

  // ---- queries ------------------------------------------------------------------------------

  /** What the board holds, slot by slot, answered at once from the slots' state. */
  private Behavior<Command> onGetState(GetState m) {
    String link = connection == null ? "DISCONNECTED" : "CONNECTED";
    m.replyTo().tell(new BoardState(board, link, slots.views(), pool, connection == null ? lastError : null,
        simulated || board.tags().contains("simulated"), nodeName, reported));
    return Behaviors.same();
  }

  /** A slot's RESULT waiter ran out of time. */
  private Behavior<Command> onWaiterTimedOut(WaiterTimedOut m) {
    m.slot().waiterTimedOut(m.waiter());
    return Behaviors.same();
  }

  private Behavior<Command> onGetConsole(GetConsole m) {
    m.replyTo().tell(new ConsoleLines(board.id(), List.copyOf(console), consoleTotal));
    return Behaviors.same();
  }
}
