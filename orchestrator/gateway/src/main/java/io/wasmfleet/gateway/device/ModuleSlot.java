package io.wasmfleet.gateway.device;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One of a board's module slots, as a state machine the DeviceActor owns as a value (not an
 * actor): {@link Phase#EMPTY}, {@link Phase#LOADING}, {@link Phase#LOADED}, {@link Phase#RUNNING},
 * {@link Phase#STOPPING} (then loaded again). The DeviceActor, which owns the wire, tells it what
 * the board said; the slot keeps the module's facts and the requests waiting for its job's
 * RESULT, each with its own timeout (on the DeviceActor's timers, through {@link Timers}).
 * An event that does not apply to the current phase changes nothing.
 */
public final class ModuleSlot {

  public enum Phase { EMPTY, LOADING, LOADED, RUNNING, STOPPING }

  /** Where the slot's waiter timeouts run: the owning actor's timers. */
  public interface Timers {
    void start(ModuleSlot slot, long waiter, Duration after);

    void cancel(ModuleSlot slot, long waiter);
  }

  private record Waiter(long id, ActorRef<Answer> replyTo, boolean okOnlyIfOk) {}

  /** The module in the slot. */
  private record Module(String id, long size, String func, long lastUsedMillis) {

    Module used(String newFunc) {
      return new Module(id, size, newFunc, System.currentTimeMillis());
    }
  }

  private final Timers timers;
  private Phase phase = Phase.EMPTY;
  private Module module;
  private List<Waiter> waiters = List.of();
  private long nextWaiter;

  public ModuleSlot(Timers timers) {
    this.timers = timers;
  }

  public Phase phase() {
    return phase;
  }

  /** The slot's module as the board lists show it; null for an empty slot. */
  public ModuleView view() {
    return module == null ? null : new ModuleView(module.id(), phase.name(), module.func(), module.lastUsedMillis(),
        module.size());
  }

  private boolean job() {
    return phase == Phase.RUNNING || phase == Phase.STOPPING;
  }

  /** The board sent LOAD_READY for {@code moduleId} into this slot. */
  public void loading(String moduleId, long size) {
    if (phase == Phase.LOADING) {
      return;
    }
    if (job()) {
      answer(w -> Answer.error(module.id() + " was replaced before its job ended"));
    }
    become(Phase.LOADING, new Module(moduleId, size, null, System.currentTimeMillis()));
  }

  /** LOAD_OK. */
  public void loaded() {
    if (phase == Phase.LOADING) {
      phase = Phase.LOADED;
    }
  }

  /** A LOAD_ERR after LOAD_READY: the board left the slot empty. */
  public void loadFailed() {
    if (phase == Phase.LOADING) {
      become(Phase.EMPTY, null);
    }
  }

  /** START_OK: the job runs {@code func} (a START on a running job keeps its waiters). */
  public void started(String func) {
    if (phase == Phase.LOADED || job()) {
      phase = Phase.RUNNING;
      module = module.used(func);
    }
  }

  /** STOP_OK status=PENDING. */
  public void stopPending() {
    if (job()) {
      phase = Phase.STOPPING;
    }
  }

  /** The job's RESULT line; {@code ok} for status=OK. */
  public void finished(String resultLine, boolean ok) {
    if (job()) {
      answer(w -> new Answer(!w.okOnlyIfOk() || ok, resultLine, !w.okOnlyIfOk() || ok ? null : resultLine));
      phase = Phase.LOADED;
      module = module.used(module.func());
    }
  }

  /** STOP said IDLE: the job ended without its RESULT reaching us. */
  public void jobGone() {
    if (job()) {
      answer(w -> Answer.error("the job of " + module.id() + " ended, but its RESULT was not seen"));
      phase = Phase.LOADED;
    }
  }

  /** What STATUS says of this slot's module: the board is the source of truth. */
  public void adopt(String moduleId, boolean running, long size) {
    boolean same = module != null && module.id().equals(moduleId);
    if (phase == Phase.LOADED && same) {
      if (running) {
        phase = Phase.RUNNING;
      }
      return;
    }
    if (job()) {
      if (running && same) {
        return;
      }
      answer(w -> Answer.error("the job of " + module.id() + " ended, but its RESULT was not seen"));
    }
    become(running ? Phase.RUNNING : Phase.LOADED, new Module(moduleId, size, null, System.currentTimeMillis()));
  }

  /** The slot is empty now (reboot, or the module left the board); waiters get {@code reason}. */
  public void clear(String reason) {
    if (job()) {
      answer(w -> Answer.error(reason));
    }
    become(Phase.EMPTY, null);
  }

  /**
   * The link to the board was lost: a load in flight ended (the slot is empty until STATUS says
   * otherwise), and requests waiting for a RESULT get {@code reason}; the module stays as last seen.
   */
  public void linkLost(String reason) {
    if (phase == Phase.LOADING) {
      become(Phase.EMPTY, null);
    } else if (job()) {
      answer(w -> Answer.error(reason));
    }
  }

  /** Answer {@code replyTo} with the job's RESULT (ok only for status=OK when {@code okOnlyIfOk}). */
  public void awaitResult(ActorRef<Answer> replyTo, boolean okOnlyIfOk, Duration timeout) {
    switch (phase) {
      case EMPTY -> replyTo.tell(Answer.error("no module in this slot"));
      case LOADING -> replyTo.tell(Answer.error(module.id() + " is still loading"));
      case LOADED -> replyTo.tell(Answer.error(module.id() + " has no job running"));
      default -> {
        Waiter w = new Waiter(++nextWaiter, replyTo, okOnlyIfOk);
        List<Waiter> next = new ArrayList<>(waiters);
        next.add(w);
        waiters = List.copyOf(next);
        timers.start(this, w.id(), timeout);
      }
    }
  }

  /** A waiter's RESULT did not come in time: it is told so; the job goes on. */
  public void waiterTimedOut(long id) {
    List<Waiter> rest = new ArrayList<>();
    for (Waiter w : waiters) {
      if (w.id() == id) {
        w.replyTo().tell(Answer.error("no RESULT for " + module.id() + " in time; the job is still running"
            + " (stop it with: stop --module-id " + module.id() + ")"));
      } else {
        rest.add(w);
      }
    }
    waiters = List.copyOf(rest);
  }

  /** The owning actor stops (the board was handed to another node, or this node shuts down). */
  public void ownerStopped() {
    if (job()) {
      answer(w -> Answer.ownerStopped("the board moved to another node (or this node stopped) while the job of "
          + module.id() + " ran; its RESULT was not seen here: ask STATUS"));
    }
  }

  private void become(Phase next, Module m) {
    phase = next;
    module = m;
  }

  private void answer(Function<Waiter, Answer> answer) {
    for (Waiter w : waiters) {
      timers.cancel(this, w.id());
      w.replyTo().tell(answer.apply(w));
    }
    waiters = List.of();
  }
}
