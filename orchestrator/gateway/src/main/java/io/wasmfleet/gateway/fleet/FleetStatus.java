package io.wasmfleet.gateway.fleet;

import io.wasmfleet.gateway.device.Answer;
import io.wasmfleet.gateway.device.DeviceActor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * STATUS of many boards in one round: the asking node's view sends each node's view the list of
 * its boards ({@link FleetView.StatusLocal}); each node asks its own boards (local asks, at most
 * {@code parallel} at a time) and answers for all of them in one message. A fleet-wide STATUS is
 * then a few messages between nodes instead of two per board, and no node coordinates a
 * thousand remote asks. Boards a node no longer drives are left out of its answer, and the
 * boards of a node that dies before answering are left out of the whole: the caller asks those
 * one at a time (following a board that moves).
 */
final class FleetStatus {

  private FleetStatus() {}

  /** A board and the actor that drives it on this node. */
  record Local(String board, ActorRef<DeviceActor.Command> ref) {}

  private record Got(String board, Answer answer, long millis) {}

  /**
   * Asks {@code boards} (all driven here) for STATUS, {@code parallel} at a time; a board that
   * does not answer within {@code timeout} is answered for with that error. Replies once.
   */
  static Behavior<Void> askLocal(List<Local> boards, int parallel, Duration timeout,
      ActorRef<FleetView.BoardAnswers> replyTo) {
    return Behaviors.<Object>setup(ctx -> {
      Map<String, Answer> answers = new HashMap<>();
      Map<String, Long> millis = new HashMap<>();
      ArrayDeque<Local> queue = new ArrayDeque<>(boards);
      int[] inFlight = {0};
      Runnable launch = () -> {
        while (inFlight[0] < Math.max(1, parallel) && !queue.isEmpty()) {
          Local b = queue.poll();
          inFlight[0]++;
          long asked = System.nanoTime();
          ctx.ask(Answer.class, b.ref(), timeout, DeviceActor.Status::new, (answer, failure) ->
              new Got(b.board(), answer != null ? answer
                  : new Answer(false, null, "no answer from the board within " + timeout.toSeconds() + " s"),
                  (System.nanoTime() - asked) / 1_000_000));
        }
      };
      if (boards.isEmpty()) {
        replyTo.tell(new FleetView.BoardAnswers(Map.of(), Map.of()));
        return Behaviors.stopped();
      }
      launch.run();
      return Behaviors.receive(Object.class)
          .onMessage(Got.class, g -> {
            answers.put(g.board(), g.answer());
            millis.put(g.board(), g.millis());
            inFlight[0]--;
            launch.run();
            if (inFlight[0] > 0) {
              return Behaviors.same();
            }
            replyTo.tell(new FleetView.BoardAnswers(Map.copyOf(answers), Map.copyOf(millis)));
            return Behaviors.stopped();
          })
          .build();
    }).narrow();
  }

  /**
   * Sends each node's view its share ({@code send}), merges the answers and replies once: when
   * every node answered, when a node's view terminates (its node left; its share is left out),
   * or after {@code within} with what came.
   */
  static Behavior<Void> gather(Map<ActorRef<FleetView.Command>, List<String>> shares, int parallel,
      Duration timeout, Duration within, ActorRef<FleetView.BoardAnswers> replyTo) {
    return Behaviors.<Object>setup(ctx -> Behaviors.withTimers(timers -> {
      Map<String, Answer> all = new HashMap<>();
      Map<String, Long> millis = new HashMap<>();
      if (shares.isEmpty()) {
        replyTo.tell(new FleetView.BoardAnswers(Map.of(), Map.of()));
        return Behaviors.stopped();
      }
      ActorRef<FleetView.BoardAnswers> reply = ctx.messageAdapter(FleetView.BoardAnswers.class, r -> r);
      shares.forEach((view, ids) -> {
        ctx.watch(view);
        view.tell(new FleetView.StatusLocal(ids, parallel, timeout, reply));
      });
      timers.startSingleTimer("timeout", within);
      int[] left = {shares.size()};
      return Behaviors.receive(Object.class)
          .onMessage(FleetView.BoardAnswers.class, r -> {
            all.putAll(r.answers());
            millis.putAll(r.millis());
            return --left[0] > 0 ? Behaviors.same() : done(replyTo, all, millis);
          })
          .onSignal(Terminated.class, t -> --left[0] > 0 ? Behaviors.same() : done(replyTo, all, millis))
          .onMessageEquals("timeout", () -> done(replyTo, all, millis))
          .build();
    })).narrow();
  }

  private static Behavior<Object> done(ActorRef<FleetView.BoardAnswers> replyTo, Map<String, Answer> all,
      Map<String, Long> millis) {
    replyTo.tell(new FleetView.BoardAnswers(Map.copyOf(all), Map.copyOf(millis)));
    return Behaviors.stopped();
  }
}
