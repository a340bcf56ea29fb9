package io.wasmfleet.gateway;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.scaladsl.AskPattern;
import org.apache.pekko.util.Timeout;
import scala.concurrent.ExecutionContext;
import scala.runtime.BoxedUnit;

/**
 * The ask pattern, answered on the thread that replies. Pekko's javadsl {@code AskPattern.ask}
 * returns Scala's {@code CompletionStage} adapter, which runs every callback, even a plain
 * {@code thenApply}, on {@code ForkJoinPool.commonPool()}: one more thread hand-off per ask, and
 * on a 2-core machine that pool has a single thread that every ask of the node queues behind.
 * Here the Scala future completes a plain {@link CompletableFuture} on the replying thread,
 * so what follows an ask runs at once, like a message handled by the actor that replied.
 */
public final class Asks {

  private Asks() {}

  public static <Req, Res> CompletableFuture<Res> ask(RecipientRef<Req> target, Function<ActorRef<Res>, Req> message,
      Duration timeout, Scheduler scheduler) {
    CompletableFuture<Res> answer = new CompletableFuture<>();
    new AskPattern.Askable<>(target).<Res>ask(message::apply, Timeout.create(timeout), scheduler).onComplete(t -> {
      if (t.isSuccess()) {
        answer.complete(t.get());
      } else {
        answer.completeExceptionally(t.failed().get());
      }
      return BoxedUnit.UNIT;
    }, ExecutionContext.parasitic$.MODULE$);
    return answer;
  }
}
