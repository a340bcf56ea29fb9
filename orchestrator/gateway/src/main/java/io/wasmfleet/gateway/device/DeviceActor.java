package io.wasmfleet.gateway.device;

import io.wasmfleet.gateway.CborSerializable;
import io.wasmfleet.gateway.NodeNames;
import io.wasmfleet.gateway.device.Exchange.LoadOp;
import io.wasmfleet.gateway.device.Exchange.Op;
import io.wasmfleet.gateway.device.Exchange.StartOp;
import io.wasmfleet.gateway.device.Exchange.StatusOp;
import io.wasmfleet.gateway.device.Exchange.Step;
import io.wasmfleet.gateway.device.Exchange.StopOp;
import io.wasmfleet.gateway.transport.BoardConnection;
import io.wasmfleet.gateway.web.GatewayMetrics;
import io.wasmfleet.protocol.DeviceLine.StatusOk;
import io.wasmfleet.protocol.DeviceLine;
import io.wasmfleet.protocol.GatewayCommand;
import io.wasmfleet.protocol.WireFormatException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
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
 * reply that did not come in time and after every LOAD (LOAD_OK does not say what the module took
 * from the pool; the LOAD is answered first) it re-reads STATUS, and only a
 * {@code STATUS_OK} line rebuilds the view. A link loss or a reboot ends every operation in
 * flight and stops a payload being written at once.
 *
 * <p>A replace (in place, or over a victim) that fails after the board destroyed the old module
 * is rolled back: the gateway keeps the last good artifact of every module it loaded and, once
 * STATUS shows the old module gone, loads it again before it answers.
 *
 * <p>States: {@link #disconnected}, {@link #idle}, {@link #awaiting} (a command, or the
 * gateway's own STATUS, awaits its reply). Requests that arrive meanwhile wait in
 * {@link WaitingRequests}.
 *
 * <p>This class is the command state machine: it writes lines, runs the timers and changes
 * state. Its parts: {@link BoardLink} (opening the link, its generations, reconnecting with
 * backoff); {@link Exchange}, plain logic with its own tests (which reply ends which command,
 * what a line does to the slots, whom a RESULT belongs to, rollback); {@link Uploader} (a LOAD's
 * payload after LOAD_READY: v1's bytes, or LOAD v2's window of frames); {@link ConsoleRing} (the
 * console tail); {@link WaitingRequests} (what waits, and when it is refused). What a GetState
 * answers is a {@link BoardState}, what a request is answered an {@link Answer}.
 */
public final class DeviceActor {

  /**
   * Every board registers under this one key; the fleet view finds a board in its listing by the
   * actor's name. (A key per board as well doubled the Receptionist's replicated registry, which
   * every node sorts and sends in each gossip round, for nothing: nobody looked boards up by it.)
   */
  public static final ServiceKey<Command> ALL_BOARDS = ServiceKey.create(Command.class, "boards");

  public sealed interface Command {}

  /** A request that is answered once, with an {@link Answer}. */
  public sealed interface Request extends Command {
    ActorRef<Answer> replyTo();
  }

  /**
   * LOAD: the payload goes to the board after LOAD_READY. A victim implies replace.
   * {@code simCompiled} asks a simulated board to run the wasm compiled (its stand-in for AOT).
   */
  public record Load(String moduleId, byte[] payload, boolean replace, String replaceVictim, boolean simCompiled,
      boolean rollback, ActorRef<Answer> replyTo) implements Request, CborSerializable {

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
      ActorRef<Answer> replyTo) implements Request, CborSerializable {}

  /** STOP; after STOP_OK status=PENDING the answer is the job's RESULT. */
  public record Stop(String moduleId, Duration resultTimeout, ActorRef<Answer> replyTo)
      implements Request, CborSerializable {}

  /** STATUS, asked of the board now. */
  public record Status(ActorRef<Answer> replyTo) implements Request, CborSerializable {}

  /** What the gateway knows of the board, without asking it. */
  public record GetState(ActorRef<BoardState> replyTo) implements Command, CborSerializable {}

  /** Sent to network boards now and then so a board re-homed after a node failure starts again. */
  public enum KeepAlive implements Command, CborSerializable { INSTANCE }

  /** The last console lines the board printed (module output, kernel messages). */
  public record GetConsole(ActorRef<ConsoleLines> replyTo) implements Command, CborSerializable {}

  // ---- private messages ---------------------------------------------------------------------

  // the link's (see BoardLink)

  record Connected(BoardConnection connection, long generation) implements Command {}

  record ConnectFailed(String reason, long generation) implements Command {}

  /** A line of the link of {@code generation}; the link sends the next once {@code ackTo} hears {@link LineAck}. */
  record LineReceived(String line, long generation, ActorRef<LineAck> ackTo) implements Command {}

  /** The link's stream started: it sends lines once {@code ackTo} hears {@link LineAck} (after Connected). */
  record LinkStarted(long generation, ActorRef<LineAck> ackTo) implements Command {}

  enum LineAck { INSTANCE }

  record LinkClosed(String reason, long generation) implements Command {}

  enum Reconnect implements Command { INSTANCE }

  enum ConnectWaitExpired implements Command { INSTANCE }

  /** The timer of the command in flight: its reply did not come within {@code after}. */
  static final String OP_TIMER = "op";

  record OpTimeout(long opId, String waitingFor, Duration after) implements Command {}

  /** A slot's RESULT waiter's timer (the slots are values; their timers are this actor's). */
  private record WaiterTimedOut(ModuleSlot slot, long waiter) implements Command {}

  record PayloadWritten(long opId, Throwable failure) implements Command {}

  /** No LOAD_ACK for {@link Load2Upload#SILENCE} during a LOAD v2 upload. */
  record Load2Silence(long opId) implements Command {}

  /** How often a STATUS is sent again when a leftover ERROR or LOAD_ERR came instead of STATUS_OK. */
  private static final int STATUS_RESENDS = 3;

  public static Behavior<Command> create(BoardConfig board, DeviceTimeouts timeouts, Executor blockingIo) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> Behaviors.withStash(timeouts.stashCapacity(),
        stash -> new DeviceActor(context, timers, stash, board, timeouts, blockingIo).start())));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final WaitingRequests waiting;
  private final BoardConfig board;
  private final DeviceTimeouts timeouts;
  private final String nodeName;
  private final GatewayMetrics metrics;

  /** What the board's lines mean for the commands, slots and rollbacks (plain logic, see Exchange). */
  private final Exchange exchange;
  private final ConsoleRing console;
  /** The link to the board. */
  private final BoardLink link;
  private long nextId;
  private int silentSyncs;
  private boolean payloadCut;
  /** The payload of the LOAD in flight. */
  private final Uploader uploader;

  private DeviceActor(ActorContext<Command> context, TimerScheduler<Command> timers, StashBuffer<Command> stash,
      BoardConfig board, DeviceTimeouts timeouts, Executor blockingIo) {
    this.context = context;
    this.timers = timers;
    this.waiting = new WaitingRequests(stash, timers, board.id(), timeouts.connectWait());
    this.board = board;
    this.timeouts = timeouts;
    this.nodeName = NodeNames.own(context.getSystem());
    ModuleSigner signer = ModuleSigner.of(context.getSystem().settings().config());
    this.metrics = GatewayMetrics.get(context.getSystem());
    this.console = new ConsoleRing(timeouts.consoleLines());
    this.link = new BoardLink(context, timers, board, timeouts, blockingIo, metrics);
    this.uploader = new Uploader(context, timers, board, timeouts, signer, metrics);
    this.exchange = new Exchange(board.id(), new SlotTable(board.id(), board.slots(), new ModuleSlot.Timers() {
      @Override
      public void start(ModuleSlot slot, long waiter, Duration after) {
        timers.startSingleTimer(new WaiterTimedOut(slot, waiter), after);
      }

      @Override
      public void cancel(ModuleSlot slot, long waiter) {
        timers.cancel(new WaiterTimedOut(slot, waiter));
      }
    }), signer.alg());
  }

  private Behavior<Command> start() {
    context.getSystem().receptionist().tell(Receptionist.register(ALL_BOARDS, context.getSelf()));
    link.open();
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
    exchange.endInFlight(op, Answer.ownerStopped(error));
    waiting.failAll(Answer.ownerStopped(error));
    exchange.abandonRollback(error);
    return onPostStop();
  }

  /** A stopped DeviceActor (handoff, shutdown) lets go of its link at once; RESULT waiters are answered. */
  private Behavior<Command> onPostStop() {
    exchange.ownerStopped();
    link.close();
    return Behaviors.same();
  }

  private Behavior<Command> disconnected() {
    return inEveryState()
        .onSignal(PostStop.class, signal -> onPostStop(null))
        .onMessage(Connected.class, this::onConnected)
        .onMessage(ConnectFailed.class, m -> {
          link.onConnectFailed(m);
          return Behaviors.same();
        })
        .onMessageEquals(Reconnect.INSTANCE, () -> {
          link.open();
          return Behaviors.same();
        })
        .onMessageEquals(ConnectWaitExpired.INSTANCE, this::onConnectWaitExpired)
        .onMessage(LineReceived.class, m -> Behaviors.same())
        .onMessage(LinkClosed.class, m -> Behaviors.same())
        .onMessage(PayloadWritten.class, m -> Behaviors.same())
        .onMessage(OpTimeout.class, m -> Behaviors.same())
        .onMessage(Load2Silence.class, m -> Behaviors.same())
        .onAnyMessage(request -> {
          waiting.holdWhileDown(request, this::unreachable);
          return Behaviors.same();
        })
        .build();
  }

  /** What every state answers alike: queries, keep-alives and the slots' RESULT waiter timers. */
  private BehaviorBuilder<Command> inEveryState() {
    return Behaviors.receive(Command.class)
        .onMessage(LinkStarted.class, m -> {
          link.onStarted(m);
          return Behaviors.same();
        })
        .onMessage(WaiterTimedOut.class, this::onWaiterTimedOut)
        .onMessageEquals(KeepAlive.INSTANCE, Behaviors::same)
        .onMessage(GetState.class, this::onGetState)
        .onMessage(GetConsole.class, this::onGetConsole);
  }

  private Behavior<Command> onConnected(Connected m) {
    if (!link.onConnected(m)) {
      return Behaviors.same();
    }
    waiting.linkUp();
    // A payload cut by the lost link may still be awaited by the board, which then takes our
    // STATUS for payload bytes and answers only when its own payload timeout ends it.
    Duration extra = payloadCut ? timeouts.boardPayloadTimeout() : Duration.ZERO;
    payloadCut = false;
    return syncAfter(extra);
  }

  private String unreachable() {
    return "board " + board.id() + " is not reachable at " + board.endpoint() + ": " + link.lastError();
  }

  private Behavior<Command> onConnectWaitExpired() {
    String error = unreachable();
    waiting.connectWaitExpired(error);
    exchange.abandonRollback(error);
    return Behaviors.same();
  }

  /** The link is gone: every operation in flight ends now; the view waits for the next STATUS_OK. */
  private Behavior<Command> onLinkClosed(LinkClosed m, Op inFlight) {
    if (!link.onClosed(m)) {
      return Behaviors.same();
    }
    payloadCut = inFlight instanceof LoadOp load && load.payloadSent();
    uploader.abandon();
    timers.cancel(OP_TIMER);
    String error = "link to board " + board.id() + " lost: " + m.reason();
    exchange.endInFlight(inFlight, Answer.error(error));
    exchange.linkLost(error);
    if (exchange.rollbackPending()) {
      waiting.startConnectWait();
    }
    return disconnected();
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
      timers.cancel(OP_TIMER);
      exchange.reconcile(status);
      silentSyncs = 0;
      if (op.replyTo() != null) {
        op.replyTo().tell(Answer.ok(line.format()));
      }
      if (op.late() != null) {
        exchange.finish(op.late(), Exchange.lateAnswer(op.late(), op.lateReason(), status));
      }
      return afterStatus(status);
    }
    boolean handled = false;
    StatusOp current = op;
    if (op.late() != null) {
      Step step = exchange.reply(line, op.late(), true);
      if (step.handled()) {
        handled = true;
        if (step.answer() != null) {
          exchange.finish(op.late(), step.answer());
        }
        current = op.withoutLate();
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
      metrics.retry(board.id(), "status");
      send(new GatewayCommand.Status(), again, "STATUS_OK", timeouts.status());
      return awaiting(again);
    }
    if (!handled) {
      unexpected(line);
    }
    return current == op ? Behaviors.same() : awaiting(current);
  }

  /** After a STATUS_OK: a failed replace is rolled back if the board lost the old module. */
  private Behavior<Command> afterStatus(StatusOk status) {
    LoadOp restore = exchange.rollbackAfter(status, ++nextId);
    if (restore == null) {
      return waiting.release(idle());
    }
    context.getLog().info("board {}: the replace of {} failed; loading {} again", board.id(),
        restore.command().moduleId(), restore.command().moduleId());
    send(restore.command(), restore, "LOAD_READY", timeouts.loadReady());
    return awaiting(restore);
  }

  // ---- idle ---------------------------------------------------------------------------------

  private Behavior<Command> idle() {
    return inEveryState()
        .onSignal(PostStop.class, signal -> onPostStop())
        .onMessage(Load.class, this::onLoad)
        .onMessage(Start.class, this::onStart)
        .onMessage(Stop.class, this::onStop)
        .onMessage(Status.class, this::onStatus)
        .onMessage(LineReceived.class, m -> taken(m, onLine(m, null)))
        .onMessage(LinkClosed.class, m -> onLinkClosed(m, null))
        .onMessage(Connected.class, m -> {
          m.connection().close();
          return Behaviors.same();
        })
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> onLoad(Load request) {
    return begin(request, () -> exchange.load(++nextId, request), LoadOp::command, "LOAD_READY", timeouts.loadReady());
  }

  private Behavior<Command> onStart(Start request) {
    return begin(request, () -> exchange.start(++nextId, request), StartOp::command, "START_OK", timeouts.reply());
  }

  private Behavior<Command> onStop(Stop request) {
    return begin(request, () -> exchange.stop(++nextId, request), StopOp::command, "STOP_OK", timeouts.reply());
  }

  /** Makes a request's operation, or refuses the request (a value its command line cannot carry). */
  private interface OpMaker<O extends Op> {
    O make() throws WireFormatException;
  }

  /** Sends a request's command and awaits {@code waitingFor}; a request the wire cannot carry is answered at once. */
  private <O extends Op> Behavior<Command> begin(Request request, OpMaker<O> maker,
      Function<O, GatewayCommand> command, String waitingFor, Duration timeout) {
    O op;
    try {
      op = maker.make();
    } catch (WireFormatException e) {
      request.replyTo().tell(Answer.error(e.getMessage()));
      return Behaviors.same();
    }
    send(command.apply(op), op, waitingFor, timeout);
    return awaiting(op);
  }

  private Behavior<Command> onStatus(Status request) {
    StatusOp op = new StatusOp(++nextId, request.replyTo(), 0, null, null);
    send(new GatewayCommand.Status(), op, "STATUS_OK", timeouts.status());
    return awaiting(op);
  }

  private void send(GatewayCommand command, Op op, String waitingFor, Duration timeout) {
    link.connection().writeLine(command.format());
    timers.startSingleTimer(OP_TIMER, new OpTimeout(op.id(), waitingFor, timeout), timeout);
  }

  // ---- awaiting a direct reply --------------------------------------------------------------

  private Behavior<Command> awaiting(Op op) {
    return inEveryState()
        .onSignal(PostStop.class, signal -> onPostStop(op))
        .onMessage(LineReceived.class, m -> taken(m, onLine(m, op)))
        .onMessage(PayloadWritten.class, m -> onPayloadWritten(m, op))
        .onMessage(Load2Silence.class, m -> {
          uploader.onSilence(link.connection(), m, op);
          return Behaviors.same();
        })
        .onMessage(OpTimeout.class, m -> onOpTimeout(m, op))
        .onMessage(LinkClosed.class, m -> onLinkClosed(m, op))
        .onMessage(Connected.class, m -> {
          m.connection().close();
          return Behaviors.same();
        })
        .onMessage(ConnectFailed.class, m -> Behaviors.same())
        .onMessageEquals(Reconnect.INSTANCE, Behaviors::same)
        .onMessageEquals(ConnectWaitExpired.INSTANCE, Behaviors::same)
        .onAnyMessage(request -> {
          waiting.hold(request);
          return Behaviors.same();
        })
        .build();
  }

  /** Ends {@code op}'s wait as {@code step} says; {@code reply} is the line that made the step. */
  private Behavior<Command> apply(Op op, Step step, DeviceLine reply) {
    if (step.sendPayload() && step.next() instanceof LoadOp load) {
      uploader.begin(link.connection(), load, reply);
    }
    if (step.next() != null) {
      return awaiting(step.next());
    }
    uploader.ended(op, reply);
    timers.cancel(OP_TIMER);
    if (step.answer() != null) {
      exchange.finish(op, step.answer());
    }
    return step.resync() || exchange.rollbackPending() ? sync() : waiting.release(idle());
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
    link.connection().cancelPayloads();
    uploader.abandon();
    if (op instanceof StatusOp status && status.replyTo() == null) {
      if (status.late() != null) {
        exchange.finish(status.late(), Answer.error(status.lateReason() + "; the board did not answer STATUS either"));
      }
      if (++silentSyncs >= 2) {
        // Our own re-reads of STATUS went unanswered twice: the board does not answer. Nobody waits silently.
        String refusal = "board " + board.id() + " does not answer (" + error + "); retrying";
        waiting.failAll(refusal);
        exchange.abandonRollback(refusal);
      }
      return syncAfter(Duration.ZERO);
    }
    exchange.loadEnded(op); // STATUS says what is there now
    if (op instanceof StatusOp || op instanceof LoadOp load && load.restoring() != null) {
      exchange.finish(op, Answer.error(error)); // a re-read would only ask the same again
      return sync();
    }
    return sync(op, error);
  }

  private Behavior<Command> onPayloadWritten(PayloadWritten m, Op op) {
    if (m.failure() == null || m.failure() instanceof BoardConnection.PayloadCancelled
        || !(op instanceof LoadOp load) || load.id() != m.opId()) {
      return Behaviors.same();
    }
    timers.cancel(OP_TIMER);
    uploader.abandon();
    exchange.loadEnded(load);
    exchange.finish(op, Answer.error("sending the payload to board " + board.id() + " failed: " + BoardLink.reason(m.failure())));
    return sync();
  }

  /** A line was handled: its link may send the next. */
  private static Behavior<Command> taken(LineReceived m, Behavior<Command> next) {
    m.ackTo().tell(LineAck.INSTANCE);
    return next;
  }

  /** A line from the board; {@code op} is the command awaiting its reply, or null. */
  private Behavior<Command> onLine(LineReceived m, Op op) {
    if (!link.current(m.generation())) {
      return Behaviors.same();
    }
    if (uploader.onAnswer(link.connection(), m.line(), op)) {
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
        exchange.reconcile(status); // a late STATUS_OK: still the board's truth
        return Behaviors.same();
      }
      return unexpected(line);
    }
    if (op instanceof StatusOp status) {
      return onStatusLine(line, status);
    }
    Step step = exchange.reply(line, op, false);
    return step.handled() ? apply(op, step, line) : unexpected(line);
  }

  private Behavior<Command> unexpected(DeviceLine line) {
    context.getLog().debug("board {}: unexpected line kept as console: {}", board.id(), line.format());
    keepConsole(line.format());
    return Behaviors.same();
  }

  private void keepConsole(String text) {
    console.keep(text);
  }

  /** A HELLO: the board booted. Unless it is the first one, every operation in flight ends. */
  private Behavior<Command> onHello(DeviceLine.Hello hello, Op op) {
    keepConsole(hello.format());
    if (exchange.hello(hello, op)) {
      return Behaviors.same();
    }
    link.connection().cancelPayloads(); // never feed the rest of a payload to a fresh board as command lines
    if (op instanceof LoadOp load && load.payloadSent()) {
      link.connection().writeLine(""); // ends the line the payload was cut in: our STATUS is a line of its own
    }
    uploader.abandon();
    context.getLog().warn("board {}: rebooted (HELLO device_id={}); its modules are gone", board.id(), hello.deviceId());
    metrics.rebooted(board.id());
    String error = "board " + board.id() + " rebooted; its modules are gone";
    timers.cancel(OP_TIMER);
    exchange.endInFlight(op, Answer.error(error));
    exchange.rebooted(error);
    return sync();
  }

  // ---- RESULT -------------------------------------------------------------------------------

  /** A RESULT: a START's refusal, else the end of a job, for the slot that runs it. */
  private Behavior<Command> onResult(DeviceLine.Result result, Op op) {
    Answer refusal = exchange.startRefusal(result, op);
    if (refusal != null && op instanceof StatusOp status) {
      exchange.finish(status.late(), refusal);
      return awaiting(status.withoutLate());
    }
    if (refusal != null) {
      return apply(op, Step.finished(refusal, false), result);
    }
    if (!exchange.result(result)) {
      keepConsole(result.format());
    }
    return Behaviors.same();
  }

  // ---- queries ------------------------------------------------------------------------------

  /** What the board holds, slot by slot, answered at once from the slots' state. */
  private Behavior<Command> onGetState(GetState m) {
    m.replyTo().tell(new BoardState(board, link.up() ? "CONNECTED" : "DISCONNECTED", exchange.views(), exchange.pool(),
        link.up() ? null : link.lastError(), exchange.simulated() || board.tags().contains("simulated"), nodeName,
        exchange.reported()));
    return Behaviors.same();
  }

  /** A slot's RESULT waiter ran out of time. */
  private Behavior<Command> onWaiterTimedOut(WaiterTimedOut m) {
    m.slot().waiterTimedOut(m.waiter());
    return Behaviors.same();
  }

  private Behavior<Command> onGetConsole(GetConsole m) {
    m.replyTo().tell(console.of(board.id()));
    return Behaviors.same();
  }
}
