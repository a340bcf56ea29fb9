package io.wasmfleet.gateway.device;

import io.wasmfleet.gateway.device.DeviceActor.Command;
import io.wasmfleet.gateway.device.DeviceActor.Request;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The requests a DeviceActor holds back while a command is in flight or its link is down, and
 * its rules for them: at most the stash's capacity wait (one more is refused at once, "busy"); a
 * link that stays down for the connect wait fails every waiting request and refuses new ones
 * until it is up again ("not reachable"). Every request held is answered exactly once: unstashed
 * into the actor, or failed here.
 */
final class WaitingRequests {

  private final StashBuffer<Command> stash;
  private final TimerScheduler<Command> timers;
  private final String boardId;
  private final Duration connectWait;
  /** The link stayed down for the connect wait: requests are refused until it is up. */
  private boolean waitedOut;

  WaitingRequests(StashBuffer<Command> stash, TimerScheduler<Command> timers, String boardId, Duration connectWait) {
    this.stash = stash;
    this.timers = timers;
    this.boardId = boardId;
    this.connectWait = connectWait;
  }

  /** A request while a command is in flight: it waits its turn, or is refused when too many wait. */
  void hold(Command request) {
    if (stash.isFull()) {
      refuse(request, Answer.error("board " + boardId + " is busy: " + stash.size() + " requests are waiting"));
    } else {
      stash.stash(request);
    }
  }

  /** A request while the link is down: it waits for the link (at most the connect wait), or is refused. */
  void holdWhileDown(Command request, Supplier<String> unreachable) {
    if (waitedOut) {
      refuse(request, Answer.error(unreachable.get()));
      return;
    }
    startConnectWait();
    hold(request);
  }

  /** Starts the connect wait unless it runs already (a rollback waits for the link too). */
  void startConnectWait() {
    if (!timers.isTimerActive(DeviceActor.ConnectWaitExpired.INSTANCE)) {
      timers.startSingleTimer(DeviceActor.ConnectWaitExpired.INSTANCE, connectWait);
    }
  }

  /** The link is up: requests wait for it again. */
  void linkUp() {
    waitedOut = false;
    timers.cancel(DeviceActor.ConnectWaitExpired.INSTANCE);
  }

  /** The connect wait ran out: every waiting request fails with {@code error}, new ones too. */
  void connectWaitExpired(String error) {
    waitedOut = true;
    failAll(error);
  }

  void failAll(String error) {
    failAll(Answer.error(error));
  }

  void failAll(Answer answer) {
    stash.forEach(request -> refuse(request, answer));
    stash.clear();
  }

  /** Hands every waiting request to {@code next}, in the order they came. */
  Behavior<Command> release(Behavior<Command> next) {
    return stash.unstashAll(next);
  }

  /** Answers {@code request} with {@code answer}; what is not a {@link Request} (a query) needs no answer. */
  private static void refuse(Command request, Answer answer) {
    if (request instanceof Request r) {
      r.replyTo().tell(answer);
    }
  }
}
