package io.wasmfleet.gateway.device;

import io.wasmfleet.gateway.device.DeviceActor.Load;
import io.wasmfleet.gateway.device.DeviceActor.Start;
import io.wasmfleet.gateway.device.DeviceActor.Stop;
import io.wasmfleet.protocol.Crc32;
import io.wasmfleet.protocol.DeviceLine.StatusOk;
import io.wasmfleet.protocol.DeviceLine;
import io.wasmfleet.protocol.GatewayCommand;
import io.wasmfleet.protocol.StartArgs;
import io.wasmfleet.protocol.WireFormatException;
import io.wasmfleet.protocol.WireParams;
import io.wasmfleet.protocol.load2.Load2Receiver;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the board's lines mean for the commands the gateway sent, without the actor: which
 * reply line ends which command and what it does to the board's slots, whom a RESULT belongs to
 * (a firmware 1.0.0 board leaves {@code module_id} out of some), how STATUS rebuilds the view,
 * and the rollback of a replace that failed after the board destroyed the old module.
 *
 * <p>The {@link DeviceActor} owns one and does what the answers ask: it writes the lines and the
 * payload, runs the timers and changes behaviour. Everything here is plain state and plain
 * method calls, tested in {@code ExchangeTest} without an actor system.
 */
final class Exchange {

  /** The command that awaits its direct reply. {@code replyTo} is null for the gateway's own STATUS. */
  sealed interface Op {
    long id();

    ActorRef<Answer> replyTo();
  }

  /**
   * {@code slot}: where the board put the module (known from LOAD_READY on; -1 before).
   * {@code rollback}: the module this replace destroys on the board (null when none), to be
   * loaded again if the replace fails. {@code restoring}: set when this LOAD is itself a rollback.
   */
  record LoadOp(long id, Load request, GatewayCommand.Load command, boolean payloadSent, int slot,
      Artifact rollback, PendingRollback restoring) implements Op {
    @Override
    public ActorRef<Answer> replyTo() {
      return request.replyTo();
    }

    LoadOp sending(int toSlot) {
      return new LoadOp(id, request, command, true, toSlot, rollback, restoring);
    }
  }

  record StartOp(long id, Start request, GatewayCommand.Start command) implements Op {
    @Override
    public ActorRef<Answer> replyTo() {
      return request.replyTo();
    }
  }

  record StopOp(long id, Stop request, GatewayCommand.Stop command) implements Op {
    @Override
    public ActorRef<Answer> replyTo() {
      return request.replyTo();
    }
  }

  /**
   * STATUS: a request's ({@code replyTo}) or the gateway's own re-read. {@code late} is a
   * request whose reply did not come in time ({@code lateReason} says which): it is answered
   * from its reply if that still comes, else from what this STATUS shows.
   */
  record StatusOp(long id, ActorRef<Answer> replyTo, int resends, Op late, String lateReason) implements Op {

    /** The same wait, with the late request answered. */
    StatusOp withoutLate() {
      return new StatusOp(id, replyTo, resends, null, null);
    }
  }

  /** A module as it was loaded, kept to load it again when a replace of it fails. */
  record Artifact(String moduleId, byte[] payload, boolean simCompiled) {}

  /** A failed replace, answered once STATUS shows whether the old module must be loaded again. */
  record PendingRollback(LoadOp op, Answer failure) {}

  /**
   * What a reply line did to the command awaiting it: not its reply ({@code handled} false),
   * a next step to wait for ({@code next}; with {@code sendPayload} the payload goes out now),
   * or the end, with the answer (null when a slot answers later) and whether the board must be
   * re-read.
   */
  record Step(boolean handled, Op next, boolean sendPayload, Answer answer, boolean resync) {
    static final Step UNRELATED = new Step(false, null, false, null, false);

    static Step waiting(Op next) {
      return new Step(true, next, false, null, false);
    }

    static Step payloadNow(LoadOp next) {
      return new Step(true, next, true, null, false);
    }

    static Step finished(Answer answer, boolean resync) {
      return new Step(true, null, false, answer, resync);
    }
  }

  /** RESULT statuses that refuse a START before any START_OK (the firmware never started a job). */
  private static final Set<String> IMMEDIATE_START_REFUSALS =
      Set.of("BAD_PARAMS", "NO_MODULE", "BUSY", "NO_MEM", "NO_ENTRYPOINT");

  private final String boardId;
  private final SlotTable slots;
  private final Map<String, Artifact> artifacts = new HashMap<>();
  private String lastStarted;
  private StatusOk.PoolFigures pool;
  private boolean simulated;
  /** What the board said of itself (HELLO's fields and extras, STATUS's caps). */
  private Map<String, String> reported = Map.of();
  private PendingRollback pendingRollback;

  /** The {@code sig=} of a LOAD v2, or null when modules go unsigned. */
  private final String signatureAlg;

  Exchange(String boardId, SlotTable slots) {
    this(boardId, slots, null);
  }

  Exchange(String boardId, SlotTable slots, String signatureAlg) {
    this.boardId = boardId;
    this.slots = slots;
    this.signatureAlg = signatureAlg;
  }

  // ---- commands -------------------------------------------------------------------------------

  /** The LOAD for {@code request}; a replace that destroys a module remembers how to load it again. */
  LoadOp load(long id, Load request) throws WireFormatException {
    GatewayCommand.Load command = new GatewayCommand.Load(request.moduleId(), request.payload().length,
        Crc32.of(request.payload()), request.replace(), request.replaceVictim(),
        loadKeys(request.payload(), request.simCompiled()));
    return new LoadOp(id, request, command, false, -1, rollbackOf(request, command), null);
  }

  StartOp start(long id, Start request) throws WireFormatException {
    return new StartOp(id, request,
        new GatewayCommand.Start(request.moduleId(), request.func(), StartArgs.parse(request.args())));
  }

  StopOp stop(long id, Stop request) throws WireFormatException {
    return new StopOp(id, request, new GatewayCommand.Stop(request.moduleId()));
  }

  /** A LOAD's appended keys: how the simulator runs it, and LOAD v2's when the board speaks it. */
  private WireParams loadKeys(byte[] payload, boolean simCompiled) {
    if (!speaksLoad2()) {
      return simExec(simCompiled);
    }
    return WireParams.builder().add("sha256", Load2Receiver.sha256Hex(payload)).add("chunk", Load2Upload.CHUNK)
        .add("sig", signatureAlg).addAll(simExec(simCompiled)).build();
  }

  /** The board said {@code caps=...load2...} in its HELLO or STATUS_OK. */
  boolean speaksLoad2() {
    return List.of(reported.getOrDefault("caps", "").split(",")).contains("load2");
  }

  private static WireParams simExec(boolean compiled) {
    return compiled ? WireParams.builder().add("sim_exec", "compiled").build() : WireParams.EMPTY;
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

  // ---- replies --------------------------------------------------------------------------------

  /** What {@code line} does to {@code op}; {@code late}: the op's wait already timed out. */
  Step reply(DeviceLine line, Op op, boolean late) {
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
        return Step.finished(Answer.error("no LOAD_READY from board " + boardId + " in time; it came late,"
            + " so the payload was not sent and the board abandons the load"), false);
      }
      int slot = slots.slotFor(op.command().moduleId(), op.command().replaceVictim());
      if (slot >= 0) {
        slots.loading(slot, op.command().moduleId(), op.command().size());
      }
      return Step.payloadNow(op.sending(slot));
    }
    if (line instanceof DeviceLine.LoadOk) {
      artifacts.put(op.command().moduleId(), new Artifact(op.command().moduleId(), op.request().payload(),
          op.request().simCompiled()));
      if (op.slot() >= 0) {
        slots.loaded(op.slot(), op.command().moduleId());
      }
      // LOAD_OK does not say what the module took from the WAMR pool (nor, with op.slot() < 0, in
      // which slot the board put it): the answer goes out, then STATUS is read for the rest
      return Step.finished(Answer.ok(line.format()), true);
    }
    if (line instanceof DeviceLine.LoadErr) {
      loadEnded(op);
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
    ModuleSlot slot = slots.slotOf(op.command().moduleId());
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

  /** A LOAD ended without LOAD_OK (error, timeout, failed write): its slot is empty until STATUS says otherwise. */
  void loadEnded(Op op) {
    if (op instanceof LoadOp load && load.slot() >= 0) {
      slots.loadFailed(load.slot());
    }
  }

  // ---- RESULT ---------------------------------------------------------------------------------

  /**
   * A RESULT that answers the START awaiting its reply (or the late START a re-read waits for)
   * before any START_OK: a refusal, for this module or with no id. Null when it is not one.
   */
  Answer startRefusal(DeviceLine.Result result, Op op) {
    Op start = op instanceof StatusOp status ? status.late() : op;
    if (!(start instanceof StartOp s)) {
      return null;
    }
    boolean forThisModule = result.moduleId() == null || result.moduleId().equals(s.command().moduleId());
    return forThisModule && IMMEDIATE_START_REFUSALS.contains(result.status())
        ? Answer.of(result.isOk(), result.format()) : null;
  }

  /**
   * A job's RESULT, to its slot's waiters. Without {@code module_id} (NO_FUNC, NO_EXEC_ENV from a
   * firmware 1.0.0 board) it belongs to the job started last. False: no slot holds that job.
   */
  boolean result(DeviceLine.Result result) {
    String id = result.moduleId() != null ? result.moduleId() : lastStarted;
    ModuleSlot slot = slots.slotOf(id);
    if (slot == null) {
      return false;
    }
    slot.finished(result.format(), result.isOk());
    if (id.equals(lastStarted)) {
      lastStarted = null;
    }
    return true;
  }

  // ---- answers and rollback -------------------------------------------------------------------

  /**
   * Answers {@code op}. A rollback LOAD answers the replace it undoes; a failed replace waits for
   * the next STATUS_OK ({@link #rollbackAfter}) to know whether the old module must be loaded again.
   */
  void finish(Op op, Answer answer) {
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

  /** Ends {@code op} and, when it is a re-read, the late request it waited for, with {@code error}. */
  void endInFlight(Op op, Answer answer) {
    if (op instanceof StatusOp status && status.late() != null) {
      finish(status.late(), Answer.error(status.lateReason() + "; then " + answer.error()));
    }
    if (op != null) {
      finish(op, answer);
    }
  }

  private static void reply(Op op, Answer answer) {
    if (op.replyTo() != null) {
      op.replyTo().tell(answer);
    }
  }

  boolean rollbackPending() {
    return pendingRollback != null;
  }

  /** A failed replace that can no longer be rolled back is answered with {@code why}. */
  void abandonRollback(String why) {
    if (pendingRollback != null) {
      reply(pendingRollback.op(), pendingRollback.failure().withRollbackFailed(why));
      pendingRollback = null;
    }
  }

  /**
   * After a STATUS_OK: the LOAD that puts back the module a failed replace destroyed, or null
   * when nothing is to be loaded again (the board kept it: the failure is answered as it was; the
   * gateway has no copy: answered so).
   */
  LoadOp rollbackAfter(StatusOk status, long id) {
    if (pendingRollback == null) {
      return null;
    }
    PendingRollback p = pendingRollback;
    pendingRollback = null;
    Artifact old = p.op().rollback();
    if (status.modules().stream().anyMatch(e -> e.id().equals(old.moduleId()))) {
      reply(p.op(), p.failure()); // the board kept the old module: nothing to undo
      return null;
    }
    if (old.payload() == null) {
      reply(p.op(), p.failure().withRollbackFailed("the gateway kept no copy of " + old.moduleId()
          + " (it was not loaded through this gateway since it started)"));
      return null;
    }
    GatewayCommand.Load command = new GatewayCommand.Load(old.moduleId(), old.payload().length,
        Crc32.of(old.payload()), false, null, loadKeys(old.payload(), old.simCompiled()));
    Load restore = new Load(old.moduleId(), old.payload(), false, null, old.simCompiled(), false,
        p.op().replyTo());
    return new LoadOp(id, restore, command, false, -1, null, p);
  }

  /** What a request whose reply never came is told, once STATUS shows what the board did. */
  static Answer lateAnswer(Op late, String reason, StatusOk status) {
    String id = late instanceof LoadOp l ? l.command().moduleId()
        : late instanceof StartOp s ? s.command().moduleId() : ((StopOp) late).command().moduleId();
    String now = status.modules().stream().filter(e -> e.id().equals(id)).findFirst()
        .map(e -> id + " " + (e.running() ? "RUNNING" : "LOADED")).orElse(id + " is not loaded");
    return Answer.error(reason + "; the board's STATUS afterwards: " + now);
  }

  // ---- what the board says of itself -----------------------------------------------------------

  /** The board is the source of truth: each slot adopts what STATUS lists, or is cleared. */
  void reconcile(StatusOk status) {
    pool = status.pool();
    // only the simulator appends sim_exec: a board first met after its HELLO is still told apart
    simulated = simulated || status.extra().get("sim_exec").isPresent();
    // our firmware repeats its caps on STATUS: known even when its HELLO was not seen
    status.extra().get("caps").ifPresent(caps -> {
      Map<String, String> now = new HashMap<>(reported);
      now.put("caps", caps);
      reported = Map.copyOf(now);
      slots.knowBuiltins(List.of(caps.split(",")).contains("native"));
    });
    slots.reconcile(status.modules());
    artifacts.keySet().retainAll(slots.modules());
  }

  /**
   * A HELLO: what the board says of itself is kept. True when it was expected: the first one,
   * met by the gateway's own STATUS on an empty board with nothing pending. Otherwise the board
   * rebooted and the caller ends what is in flight and calls {@link #rebooted}.
   */
  boolean hello(DeviceLine.Hello hello, Op op) {
    simulated = "1".equals(hello.extra().get("sim").orElse(null));
    Map<String, String> said = new HashMap<>(hello.extra().asList().stream()
        .collect(Collectors.toMap(WireParams.Param::key, WireParams.Param::value, (a, b) -> b)));
    said.put("rtos", hello.rtos());
    said.put("runtime", hello.runtime());
    said.put("fw_version", hello.fwVersion());
    reported = Map.copyOf(said);
    slots.knowBuiltins(List.of(said.getOrDefault("caps", "").split(",")).contains("native"));
    return op instanceof StatusOp status && status.replyTo() == null && status.late() == null
        && slots.isEmpty() && pendingRollback == null;
  }

  /** The board rebooted: its modules and its jobs are gone. */
  void rebooted(String error) {
    slots.rebooted(error);
    lastStarted = null;
  }

  void linkLost(String error) {
    slots.linkLost(error);
  }

  void ownerStopped() {
    slots.ownerStopped();
  }

  boolean simulated() {
    return simulated;
  }

  StatusOk.PoolFigures pool() {
    return pool;
  }

  Map<String, String> reported() {
    return reported;
  }

  List<ModuleView> views() {
    return slots.views();
  }
}
