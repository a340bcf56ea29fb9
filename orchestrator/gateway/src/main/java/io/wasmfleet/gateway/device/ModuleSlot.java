package io.wasmfleet.gateway.device;

import io.wasmfleet.gateway.device.DeviceActor.Answer;
import io.wasmfleet.gateway.device.DeviceActor.ModuleView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One of a board's module slots, as a state machine: {@link #empty}, {@link #loading},
 * {@link #loaded}, {@link #running}, {@link #stopping} (then loaded again). The DeviceActor, which
 * owns the wire, tells it what the board said; the slot keeps the module's facts and the
 * requests waiting for its job's RESULT, each with its own timeout.
 */
public final class ModuleSlot {

  public sealed interface Command {}

  /** The board sent LOAD_READY for {@code moduleId} into this slot. */
  public record Loading(String moduleId, long size) implements Command {}

  /** LOAD_OK. */
  public enum Loaded implements Command { INSTANCE }

  /** A LOAD_ERR after LOAD_READY: the board left the slot empty. */
  public enum LoadFailed implements Command { INSTANCE }

  /** START_OK: the job runs {@code func}. */
  public record Started(String func) implements Command {}

  /** STOP_OK status=PENDING. */
  public enum StopPending implements Command { INSTANCE }

  /** The job's RESULT line; {@code ok} for status=OK. */
  public record Finished(String resultLine, boolean ok) implements Command {}

  /** STOP said IDLE: the job ended without its RESULT reaching us. */
  public enum JobGone implements Command { INSTANCE }

  /** What STATUS says of this slot's module: the board is the source of truth. */
  public record Adopt(String moduleId, boolean running, long size) implements Command {}

  /** The slot is empty now (reboot, or the module left the board); waiters get {@code reason}. */
  public record Clear(String reason) implements Command {}

  /**
   * The link to the board was lost: a load in flight ended (the slot is empty until STATUS says
   * otherwise), and requests waiting for a RESULT get {@code reason}; the module stays as last seen.
   */
  public record LinkLost(String reason) implements Command {}

  /** Answer {@code replyTo} with the job's RESULT (ok only for status=OK when {@code okOnlyIfOk}). */
  public record AwaitResult(ActorRef<Answer> replyTo, boolean okOnlyIfOk, Duration timeout) implements Command {}

  /** The slot's module, if any. */
  public record Describe(ActorRef<Described> replyTo) implements Command {}

  /** {@code module} is null for an empty slot. */
  public record Described(ModuleView module) {}

  private record WaiterTimedOut(long id) implements Command {}

  private record Waiter(long id, ActorRef<Answer> replyTo, boolean okOnlyIfOk) {}

  /** The module in the slot. */
  private record Module(String id, long size, String func, long lastUsedMillis) {

    Module used(String newFunc) {
      return new Module(id, size, newFunc, System.currentTimeMillis());
    }

    ModuleView view(String phase) {
      return new ModuleView(id, phase, func, lastUsedMillis, size);
    }
  }

  public static Behavior<Command> create() {
    return Behaviors.withTimers(timers -> new ModuleSlot(timers).empty());
  }

  private final TimerScheduler<Command> timers;
  private long nextWaiter;

  private ModuleSlot(TimerScheduler<Command> timers) {
    this.timers = timers;
  }

  // ---- empty --------------------------------------------------------------------------------

  private Behavior<Command> empty() {
    return Behaviors.receive(Command.class)
        .onMessage(Loading.class, m -> loading(new Module(m.moduleId(), m.size(), null, System.currentTimeMillis())))
        .onMessage(Adopt.class, this::adopt)
        .onMessage(AwaitResult.class, m -> refuse(m, "no module in this slot"))
        .onMessage(Describe.class, m -> describe(m, null))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  // ---- loading ------------------------------------------------------------------------------

  private Behavior<Command> loading(Module module) {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Loaded.INSTANCE, () -> loaded(module))
        .onMessageEquals(LoadFailed.INSTANCE, this::empty)
        .onMessage(LinkLost.class, m -> empty())
        .onMessage(Clear.class, m -> empty())
        .onMessage(Adopt.class, this::adopt)
        .onMessage(AwaitResult.class, m -> refuse(m, module.id() + " is still loading"))
        .onMessage(Describe.class, m -> describe(m, module.view("LOADING")))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  // ---- loaded -------------------------------------------------------------------------------

  private Behavior<Command> loaded(Module module) {
    return Behaviors.receive(Command.class)
        .onMessage(Started.class, m -> running(module.used(m.func()), List.of()))
        .onMessage(Loading.class, m -> loading(new Module(m.moduleId(), m.size(), null, System.currentTimeMillis())))
        .onMessage(Clear.class, m -> empty())
        .onMessage(Adopt.class, m -> !m.moduleId().equals(module.id()) ? adopt(m)
            : m.running() ? running(module, List.of()) : Behaviors.same())
        .onMessage(AwaitResult.class, m -> refuse(m, module.id() + " has no job running"))
        .onMessage(Describe.class, m -> describe(m, module.view("LOADED")))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  // ---- running and stopping -----------------------------------------------------------------

  private Behavior<Command> running(Module module, List<Waiter> waiters) {
    return job(module, waiters, "RUNNING");
  }

  private Behavior<Command> stopping(Module module, List<Waiter> waiters) {
    return job(module, waiters, "STOPPING");
  }

  /** A job is on: RUNNING, or STOPPING after STOP_OK status=PENDING. */
  private Behavior<Command> job(Module module, List<Waiter> waiters, String phase) {
    return Behaviors.receive(Command.class)
        // the board's actor stops here (handed to another node, or this node shuts down)
        .onSignal(org.apache.pekko.actor.typed.PostStop.class, signal -> {
          answer(waiters, w -> Answer.error("the board moved to another node (or this node stopped) while the job of "
              + module.id() + " ran; its RESULT was not seen here: ask STATUS"));
          return Behaviors.same();
        })
        .onMessage(AwaitResult.class, m -> {
          Waiter w = new Waiter(++nextWaiter, m.replyTo(), m.okOnlyIfOk());
          timers.startSingleTimer(new WaiterTimedOut(w.id()), m.timeout());
          return again(phase, module, append(waiters, w));
        })
        .onMessage(WaiterTimedOut.class, m -> again(phase, module, timedOut(module, waiters, m.id())))
        .onMessageEquals(StopPending.INSTANCE, () -> stopping(module, waiters))
        .onMessageEquals(JobGone.INSTANCE, () -> {
          answer(waiters, w -> Answer.error("the job of " + module.id() + " ended, but its RESULT was not seen"));
          return loaded(module);
        })
        .onMessage(Finished.class, m -> {
          answer(waiters, w -> new Answer(!w.okOnlyIfOk() || m.ok(), m.resultLine(),
              !w.okOnlyIfOk() || m.ok() ? null : m.resultLine()));
          return loaded(module.used(module.func()));
        })
        .onMessage(Started.class, m -> running(module.used(m.func()), waiters))
        .onMessage(Loading.class, m -> {
          answer(waiters, w -> Answer.error(module.id() + " was replaced before its job ended"));
          return loading(new Module(m.moduleId(), m.size(), null, System.currentTimeMillis()));
        })
        .onMessage(Clear.class, m -> {
          answer(waiters, w -> Answer.error(m.reason()));
          return empty();
        })
        .onMessage(LinkLost.class, m -> {
          answer(waiters, w -> Answer.error(m.reason()));
          return again(phase, module, List.of());
        })
        .onMessage(Adopt.class, m -> {
          if (m.running() && m.moduleId().equals(module.id())) {
            return Behaviors.same();
          }
          answer(waiters, w -> Answer.error("the job of " + module.id() + " ended, but its RESULT was not seen"));
          return adopt(m);
        })
        .onMessage(Describe.class, m -> describe(m, module.view(phase)))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> again(String phase, Module module, List<Waiter> waiters) {
    return phase.equals("STOPPING") ? stopping(module, waiters) : running(module, waiters);
  }

  private static List<Waiter> append(List<Waiter> waiters, Waiter w) {
    List<Waiter> next = new ArrayList<>(waiters);
    next.add(w);
    return List.copyOf(next);
  }

  private static List<Waiter> timedOut(Module module, List<Waiter> waiters, long id) {
    List<Waiter> rest = new ArrayList<>();
    for (Waiter w : waiters) {
      if (w.id() == id) {
        w.replyTo().tell(Answer.error("no RESULT for " + module.id() + " in time; the job is still running"
            + " (stop it with: stop --module-id " + module.id() + ")"));
      } else {
        rest.add(w);
      }
    }
    return List.copyOf(rest);
  }

  private void answer(List<Waiter> waiters, java.util.function.Function<Waiter, Answer> answer) {
    for (Waiter w : waiters) {
      timers.cancel(new WaiterTimedOut(w.id()));
      w.replyTo().tell(answer.apply(w));
    }
  }

  // ---- any state ----------------------------------------------------------------------------

  private Behavior<Command> adopt(Adopt m) {
    Module module = new Module(m.moduleId(), m.size(), null, System.currentTimeMillis());
    return m.running() ? running(module, List.of()) : loaded(module);
  }

  private static Behavior<Command> refuse(AwaitResult m, String why) {
    m.replyTo().tell(Answer.error(why));
    return Behaviors.same();
  }

  private static Behavior<Command> describe(Describe m, ModuleView view) {
    m.replyTo().tell(new Described(view));
    return Behaviors.same();
  }
}
