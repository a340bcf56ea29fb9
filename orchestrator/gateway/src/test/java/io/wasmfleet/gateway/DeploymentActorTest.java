package io.wasmfleet.gateway;

import io.wasmfleet.gateway.device.Answer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.wasmfleet.gateway.deploy.DeploymentActor;
import io.wasmfleet.gateway.device.BoardConfig;
import io.wasmfleet.gateway.device.BoardState;
import io.wasmfleet.gateway.device.DeviceActor;
import io.wasmfleet.gateway.device.ModuleView;
import io.wasmfleet.gateway.transport.Endpoint;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** A DeploymentActor with a probe standing in for the board's DeviceActor. */
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeploymentActorTest {

  @JUnit5TestKit
  ActorTestKit testKit = new JUnit5TestKitBuilder()
      .withCustomConfig(ConfigFactory.parseString("pekko.actor.provider = local")).build();

  private static BoardState boardWith(String... loaded) {
    BoardConfig c = new BoardConfig("b", "nucleo_f446re", "cortex-m4", "thumbv7em", 40,
        Endpoint.parse("tcp:127.0.0.1:1"), 115200, 2, List.of());
    List<ModuleView> modules = java.util.Arrays.stream(loaded)
        .map(id -> new ModuleView(id, "LOADED", null, 1, 10)).toList();
    return new BoardState(c, "CONNECTED", modules, null, null, false, "gw1");
  }

  @Test
  void aVictimIsCheckedThenTheLoadCarriesReplace() {
    TestProbe<DeviceActor.Command> board = testKit.createTestProbe();
    TestProbe<DeploymentActor.Deployed> reply = testKit.createTestProbe();
    testKit.spawn(DeploymentActor.create(board.getRef(),
        new DeploymentActor.Request("c", new byte[] {1}, false, "auto", false), Duration.ofSeconds(5), reply.getRef()));
    board.expectMessageClass(DeviceActor.GetState.class).replyTo().tell(boardWith("a", "b"));
    DeviceActor.Load load = board.expectMessageClass(DeviceActor.Load.class);
    assertTrue(load.replace(), "a victim always brings replace=1");
    assertEquals("a", load.replaceVictim());
    load.replyTo().tell(Answer.ok("LOAD_OK"));
    DeploymentActor.Deployed done = reply.receiveMessage();
    assertEquals("LOAD_OK", done.answer().detail());
    assertEquals("a", done.victim());
  }

  @Test
  void aBoardThatGoesAwayMidDeploymentIsReportedAtOnce() {
    TestProbe<DeviceActor.Command> board = testKit.createTestProbe();
    TestProbe<DeploymentActor.Deployed> reply = testKit.createTestProbe();
    testKit.spawn(DeploymentActor.create(board.getRef(),
        new DeploymentActor.Request("m", new byte[] {1}, false, null, false), Duration.ofMinutes(2), reply.getRef()));
    board.expectMessageClass(DeviceActor.GetState.class).replyTo().tell(boardWith());
    board.expectMessageClass(DeviceActor.Load.class);
    board.stop(); // as death watch reports a board whose node went down
    DeploymentActor.Deployed gone = reply.receiveMessage(Duration.ofSeconds(5));
    assertFalse(gone.answer().ok());
    assertTrue(gone.answer().error().startsWith("the node driving the board went down during the deployment"),
        gone.answer().error());
  }
}
