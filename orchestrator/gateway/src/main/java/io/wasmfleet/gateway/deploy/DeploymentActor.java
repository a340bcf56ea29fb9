package io.wasmfleet.gateway.deploy;

import io.wasmfleet.gateway.CborSerializable;
import io.wasmfleet.gateway.device.Answer;
import io.wasmfleet.gateway.device.BoardState;
import io.wasmfleet.gateway.device.DeviceActor;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One deployment, for as long as it takes: reads the board's slots, works out in-place,
 * free slot or victim ({@link Decision}), checks an explicit victim before touching the
 * board, sends the LOAD, and answers once. Then it stops.
 */
public final class DeploymentActor {

  public sealed interface Command {}

  /** The outcome, with the decision explained. */
  public record Deployed(Answer answer, String victim, String decision) implements CborSerializable {}

  private record StateReceived(BoardState state) implements Command {}

  private record LoadAnswered(Answer answer) implements Command {}

  private record Failed(String error) implements Command {}

  /** The board's actor is gone: its node went down (death watch) or it stopped. */
  private record BoardGone(String board) implements Command {}

  /** What to deploy where; {@code rollback}: put the old module back if a replace fails. */
  public record Request(String moduleId, byte[] payload, boolean replace, String replaceVictim, boolean simCompiled,
      boolean rollback) {

    public Request(String moduleId, byte[] payload, boolean replace, String replaceVictim, boolean simCompiled) {
      this(moduleId, payload, replace, replaceVictim, simCompiled, true);
    }
  }

  public static Behavior<Command> create(RecipientRef<DeviceActor.Command> board, Request request, Duration timeout,
      ActorRef<Deployed> replyTo) {
    return Behaviors.setup(context -> {
      if (board instanceof ActorRef<?> ref) {
        // a pinned board: if its node dies mid-deployment, say so at once instead of at the timeout
        context.watchWith(ref, new BoardGone(ref.path().name()));
      }
      context.ask(BoardState.class, board, timeout, DeviceActor.GetState::new,
          (state, failure) -> failure == null ? new StateReceived(state) : new Failed("board did not answer: " + failure.getMessage()));
      return readingSlots(context, board, request, timeout, replyTo);
    });
  }

  private static Behavior<Command> readingSlots(ActorContext<Command> context, RecipientRef<DeviceActor.Command> board,
      Request request, Duration timeout, ActorRef<Deployed> replyTo) {
    return Behaviors.receive(Command.class)
        .onMessage(StateReceived.class, m -> {
          Decision d = Decision.of(request.moduleId(), request.replace(), request.replaceVictim(), m.state());
          if (d.refusal() != null) {
            replyTo.tell(new Deployed(Answer.error(d.refusal()), null, null));
            return Behaviors.stopped();
          }
          context.getLog().debug("deploy {} to {}: {}", request.moduleId(), m.state().board(), d.explanation());
          context.ask(Answer.class, board, timeout,
              r -> new DeviceActor.Load(request.moduleId(), request.payload(), d.replace(), d.victim(),
                  request.simCompiled(), request.rollback(), r),
              (answer, failure) -> failure == null ? new LoadAnswered(answer)
                  : new Failed("no answer from board " + m.state().board() + " within " + timeout.toSeconds() + " s"));
          return loading(d, replyTo);
        })
        .onMessage(Failed.class, m -> fail(m, replyTo))
        .onMessage(BoardGone.class, m -> gone(m, replyTo))
        .build();
  }

  private static Behavior<Command> gone(BoardGone m, ActorRef<Deployed> replyTo) {
    replyTo.tell(new Deployed(Answer.error("the node driving the board went down during the deployment;"
        + " whether the module reached the board is unknown (ask its status once the board is back)"), null, null));
    return Behaviors.stopped();
  }

  private static Behavior<Command> loading(Decision d, ActorRef<Deployed> replyTo) {
    return Behaviors.receive(Command.class)
        .onMessage(LoadAnswered.class, m -> {
          replyTo.tell(new Deployed(m.answer(), d.victim(), d.explanation()));
          return Behaviors.stopped();
        })
        .onMessage(Failed.class, m -> fail(m, replyTo))
        .onMessage(BoardGone.class, m -> gone(m, replyTo))
        .build();
  }

  private static Behavior<Command> fail(Failed m, ActorRef<Deployed> replyTo) {
    replyTo.tell(new Deployed(Answer.error(m.error()), null, null));
    return Behaviors.stopped();
  }
}
