package io.wasmfleet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What follows an ask runs on the thread of the actor that replied, not on another pool. */
@ExtendWith(TestKitJUnit5Extension.class)
class AsksTest {

  @JUnit5TestKit
  ActorTestKit testKit = new JUnit5TestKitBuilder()
      .withCustomConfig(ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()))
      .build();

  private record Ask(String text, ActorRef<String> replyTo) {}

  @Test
  void theAnswerIsHandledWhereTheReplyWasSent() {
    // replies to the question held when told to go, so the callback is in place before the reply
    java.util.List<Ask> held = new java.util.ArrayList<>();
    ActorRef<Object> echo = testKit.spawn(Behaviors.receiveMessage(m -> {
      if (m instanceof Ask a) {
        held.add(a);
      } else {
        held.forEach(a -> a.replyTo().tell(a.text() + " from " + Thread.currentThread().getName()));
      }
      return Behaviors.same();
    }));
    java.util.concurrent.CompletableFuture<String[]> where =
        Asks.<Object, String>ask(echo, r -> new Ask("hi", r), Duration.ofSeconds(3), testKit.scheduler())
            .thenApply(answer -> new String[] {answer, Thread.currentThread().getName()});
    echo.tell("go");
    assertEquals("hi from " + where.join()[1], where.join()[0], "the callback ran on the replying actor's thread");
    assertFalse(where.join()[1].contains("commonPool"), where.join()[1]);
  }

  @Test
  void noAnswerFailsWithATimeout() {
    ActorRef<Ask> silent = testKit.spawn(Behaviors.receiveMessage(m -> Behaviors.same()));
    CompletionException e = assertThrows(CompletionException.class,
        () -> Asks.<Ask, String>ask(silent, r -> new Ask("hi", r), Duration.ofMillis(100), testKit.scheduler()).join());
    assertInstanceOf(TimeoutException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("100 ms"), e.getCause().getMessage());
  }
}
