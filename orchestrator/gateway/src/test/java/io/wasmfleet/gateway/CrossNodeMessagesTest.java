package io.wasmfleet.gateway;

import io.wasmfleet.gateway.device.Answer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.wasmfleet.gateway.deploy.DeploymentActor;
import io.wasmfleet.gateway.device.BoardConfig;
import io.wasmfleet.gateway.device.BoardState;
import io.wasmfleet.gateway.device.ConsoleLines;
import io.wasmfleet.gateway.device.DeviceActor;
import io.wasmfleet.gateway.device.ModuleView;
import io.wasmfleet.gateway.transport.Endpoint;
import io.wasmfleet.protocol.DeviceLine;
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

/** Every message that may cross cluster nodes survives Jackson CBOR, the binding nodes use. */
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossNodeMessagesTest {

  @JUnit5TestKit
  ActorTestKit testKit = new JUnit5TestKitBuilder()
      .withCustomConfig(ConfigFactory.parseString("pekko.remote.artery.canonical.port = 0").withFallback(ConfigFactory.load()))
      .build();

  @Test
  void requestsAndAnswersRoundTrip() {
    TestProbe<Answer> answers = testKit.createTestProbe();
    TestProbe<BoardState> states = testKit.createTestProbe();
    TestProbe<ConsoleLines> console = testKit.createTestProbe();
    var kit = testKit.serializationTestKit();

    DeviceActor.Load load = new DeviceActor.Load("m", new byte[] {0, 'a', 's', 'm', 1}, true, "v", answers.getRef());
    DeviceActor.Load back = kit.verifySerialization(load, false);
    assertArrayEquals(load.payload(), back.payload());
    assertEquals(load.replyTo(), back.replyTo());

    kit.verifySerialization(new DeviceActor.Start("m", "add", "a=1,b=2", true, Duration.ofSeconds(10), answers.getRef()), true);
    kit.verifySerialization(new DeviceActor.Stop("m", Duration.ofMillis(1500), answers.getRef()), true);
    kit.verifySerialization(new DeviceActor.Status(answers.getRef()), true);
    kit.verifySerialization(new DeviceActor.GetState(states.getRef()), true);
    kit.verifySerialization(new DeviceActor.GetConsole(console.getRef()), true);
    kit.verifySerialization(Answer.ok("LOAD_OK"), true);
    kit.verifySerialization(Answer.error("board b rebooted"), true);
    kit.verifySerialization(new ConsoleLines("b", List.of("LED ON", "hello"), 7), true);

    BoardConfig config = new BoardConfig("b", "nucleo_f446re", "cortex-m4", "thumbv7em", 40,
        Endpoint.parse("tcp:127.0.0.1:7001"), 115200, 2, List.of("lab"));
    BoardState state = new BoardState(config, "CONNECTED",
        List.of(new ModuleView("m", "RUNNING", "add", 5, 326)),
        new DeviceLine.StatusOk.PoolFigures(102400, 80000, 22400, 30000), null, true, "gw1");
    kit.verifySerialization(state, true);
    BoardState told = new BoardState(config, "CONNECTED", List.of(), null, null, false, "gw2",
        java.util.Map.of("rtos", "Zephyr", "caps", "timing,native"));
    kit.verifySerialization(told, true);
    // the fleet view's one-round description: asked of every node, answered with all its boards
    kit.verifySerialization(new io.wasmfleet.gateway.fleet.FleetView.BoardStates(java.util.Map.of("b", state, "c", told)), true);
    // a fleet STATUS in one round: each node's share, and its answers
    kit.verifySerialization(new io.wasmfleet.gateway.fleet.FleetView.StatusLocal(List.of("b", "c"), 4,
        java.time.Duration.ofSeconds(16), testKit.<io.wasmfleet.gateway.fleet.FleetView.BoardAnswers>createTestProbe().getRef()), true);
    kit.verifySerialization(new io.wasmfleet.gateway.fleet.FleetView.BoardAnswers(java.util.Map.of(
        "b", Answer.ok("STATUS_OK modules=\"none\""), "c", new Answer(false, null, "no answer")), java.util.Map.of("b", 12L, "c", 16000L)), true);
    kit.verifySerialization(new DeploymentActor.Deployed(Answer.ok("LOAD_OK"), "v", "victim v is replaced"), true);
  }
}
