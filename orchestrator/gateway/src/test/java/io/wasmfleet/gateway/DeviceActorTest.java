package io.wasmfleet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.wasmfleet.gateway.device.Answer;
import io.wasmfleet.gateway.device.BoardConfig;
import io.wasmfleet.gateway.device.BoardState;
import io.wasmfleet.gateway.device.ConsoleLines;
import io.wasmfleet.gateway.device.DeviceActor;
import io.wasmfleet.gateway.device.DeviceTimeouts;
import io.wasmfleet.gateway.transport.Endpoint;
import io.wasmfleet.sim.BoardFarm;
import io.wasmfleet.sim.BoardSpec;
import io.wasmfleet.wasm.BuiltModules;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** A DeviceActor and a simulated board on a real socket; probes stand in for the requesters. */
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceActorTest {

  @JUnit5TestKit
  ActorTestKit testKit = new JUnit5TestKitBuilder()
      .withCustomConfig(ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()))
      .build();

  private static final DeviceTimeouts TIMEOUTS = new DeviceTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500),
      Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(1), 64,
      Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofSeconds(5), 50, 100);

  private static BoardConfig board(String id, String endpoint) {
    return new BoardConfig(id, "nucleo_f446re", "cortex-m4", "thumbv7em", 40, Endpoint.parse(endpoint), 115200, 2,
        List.of());
  }

  private BoardFarm farm(String id) throws Exception {
    return BoardFarm.start(ConfigFactory.load(), List.of(BoardSpec.parse(id + "=nucleo_f446re:0")));
  }

  private ActorRef<DeviceActor.Command> device(BoardConfig config) {
    return testKit.spawn(DeviceActor.create(config, TIMEOUTS, Executors.newCachedThreadPool()));
  }

  @Test
  void statusLoadAndStartThroughTheActor() throws Exception {
    try (BoardFarm farm = farm("a1")) {
      ActorRef<DeviceActor.Command> device = device(board("a1", farm.endpoint("a1")));
      TestProbe<Answer> probe = testKit.createTestProbe();
      device.tell(new DeviceActor.Status(probe.getRef()));
      assertTrue(probe.receiveMessage().detail().startsWith("STATUS_OK modules=\"none\""));
      device.tell(new DeviceActor.Load("m", BuiltModules.wasmBytes("math_ops"), false, null, probe.getRef()));
      assertEquals(Answer.ok("LOAD_OK"), probe.receiveMessage());
      device.tell(new DeviceActor.Start("m", "add", "a=20,b=22", true, Duration.ofSeconds(5), probe.getRef()));
      assertTrue(probe.receiveMessage().detail().contains("ret_i32=42"));
    }
  }

  @Test
  void requestsArrivingTogetherAreAnsweredInOrder() throws Exception {
    try (BoardFarm farm = farm("a2")) {
      ActorRef<DeviceActor.Command> device = device(board("a2", farm.endpoint("a2")));
      TestProbe<Answer> probe = testKit.createTestProbe();
      device.tell(new DeviceActor.Load("m", BuiltModules.wasmBytes("math_ops"), false, null, probe.getRef()));
      for (int i = 0; i < 5; i++) {
        device.tell(new DeviceActor.Status(probe.getRef()));
      }
      assertEquals("LOAD_OK", probe.receiveMessage().detail());
      for (int i = 0; i < 5; i++) {
        assertTrue(probe.receiveMessage().detail().contains("m:LOADED"), "stashed during the LOAD, then served in order");
      }
    }
  }

  @Test
  void eachSlotSaysWhatItHolds() throws Exception {
    try (BoardFarm farm = farm("a6")) {
      ActorRef<DeviceActor.Command> device = device(board("a6", farm.endpoint("a6")));
      TestProbe<Answer> probe = testKit.createTestProbe();
      TestProbe<BoardState> state = testKit.createTestProbe();
      device.tell(new DeviceActor.Load("a", BuiltModules.wasmBytes("math_ops"), false, null, probe.getRef()));
      assertEquals("LOAD_OK", probe.receiveMessage().detail());
      device.tell(new DeviceActor.Load("b", BuiltModules.wasmBytes("toggle_forever"), false, null, probe.getRef()));
      assertEquals("LOAD_OK", probe.receiveMessage().detail());
      device.tell(new DeviceActor.GetState(state.getRef()));
      assertEquals(List.of("a:LOADED", "b:LOADED"), state.receiveMessage().modules().stream()
          .map(m -> m.id() + ":" + m.phase()).toList());
      device.tell(new DeviceActor.Start("b", "toggle_forever", null, false, Duration.ofSeconds(5), probe.getRef()));
      assertEquals("START_OK", probe.receiveMessage().detail());
      device.tell(new DeviceActor.GetState(state.getRef()));
      assertEquals(List.of("a:LOADED", "b:RUNNING"), state.receiveMessage().modules().stream()
          .map(m -> m.id() + ":" + m.phase()).toList());
      device.tell(new DeviceActor.Stop("b", Duration.ofSeconds(5), probe.getRef()));
      assertTrue(probe.receiveMessage().detail().startsWith("RESULT status=STOPPED module_id=b"));
      device.tell(new DeviceActor.GetState(state.getRef()));
      assertEquals(List.of("a:LOADED", "b:LOADED"), state.receiveMessage().modules().stream()
          .map(m -> m.id() + ":" + m.phase()).toList());
    }
  }

  @Test
  void aCutLinkIsReconnectedAndTheBoardReRead() throws Exception {
    try (BoardFarm farm = farm("a3")) {
      ActorRef<DeviceActor.Command> device = device(board("a3", farm.endpoint("a3")));
      TestProbe<Answer> probe = testKit.createTestProbe();
      device.tell(new DeviceActor.Load("m", BuiltModules.wasmBytes("math_ops"), false, null, probe.getRef()));
      assertEquals("LOAD_OK", probe.receiveMessage().detail());
      // the gateway reads STATUS after a LOAD_OK (for the pool); once a STATUS of ours is answered, that is done
      device.tell(new DeviceActor.Status(probe.getRef()));
      assertTrue(probe.receiveMessage().ok());
      farm.board("a3").admin("SIM_FAULT cut_after_bytes=3");
      device.tell(new DeviceActor.Status(probe.getRef()));
      Answer cut = probe.receiveMessage();
      assertFalse(cut.ok());
      assertTrue(cut.error().startsWith("link to board a3 lost") || cut.error().startsWith("no STATUS_OK"), cut.error());
      device.tell(new DeviceActor.Status(probe.getRef()));
      Answer after = probe.receiveMessage();
      assertTrue(after.ok(), after.toString());
      assertTrue(after.detail().contains("m:LOADED"), "reconnected; the board kept its module");
    }
  }

  @Test
  void anUnreachableBoardIsReportedAfterTheConnectWait() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    ActorRef<DeviceActor.Command> device = device(board("gone", "tcp:127.0.0.1:" + closedPort));
    TestProbe<Answer> probe = testKit.createTestProbe();
    device.tell(new DeviceActor.Status(probe.getRef()));
    Answer a = probe.receiveMessage(Duration.ofSeconds(5));
    assertFalse(a.ok());
    assertTrue(a.error().startsWith("board gone is not reachable at tcp:127.0.0.1:" + closedPort + ": "), a.error());
    device.tell(new DeviceActor.Status(probe.getRef()));
    assertFalse(probe.receiveMessage().ok(), "later requests are refused at once while it stays unreachable");
  }

  /**
   * A board that takes the connection and never answers: requests wait in a bounded queue, one
   * more than it holds is refused at once, and once the gateway's own STATUS has gone unanswered
   * twice every waiting request is answered, none lost.
   */
  @Test
  void requestsForASilentBoardWaitBoundedAndAreAllAnswered() throws Exception {
    try (ServerSocket silent = new ServerSocket(0)) { // the kernel completes the connection; nothing reads or answers
      ActorRef<DeviceActor.Command> device = device(board("mute", "tcp:127.0.0.1:" + silent.getLocalPort()));
      TestProbe<Answer> probe = testKit.createTestProbe();
      int capacity = TIMEOUTS.stashCapacity();
      for (int i = 0; i <= capacity; i++) {
        device.tell(new DeviceActor.Status(probe.getRef()));
      }
      assertEquals(Answer.error("board mute is busy: " + capacity + " requests are waiting"), probe.receiveMessage());
      for (int i = 0; i < capacity; i++) {
        Answer a = probe.receiveMessage(Duration.ofSeconds(5));
        assertFalse(a.ok());
        assertEquals("board mute does not answer (no STATUS_OK from board mute within 500 ms); retrying", a.error());
      }
      probe.expectNoMessage(Duration.ofMillis(200));
    }
  }

  @Test
  void aHungBoardTimesOutAndRecovers() throws Exception {
    try (BoardFarm farm = farm("a4")) {
      TestProbe<Answer> probe = testKit.createTestProbe();
      ActorRef<DeviceActor.Command> device = hungAfterOneStatus(farm, "a4", probe);
      device.tell(new DeviceActor.Status(probe.getRef()));
      assertEquals(Answer.error("no STATUS_OK from board a4 within 500 ms"), probe.receiveMessage());
      farm.board("a4").release();
      device.tell(new DeviceActor.Status(probe.getRef()));
      assertTrue(probe.receiveMessage().ok(), "answers again once the board does");
    }
  }

  /** A DeviceActor for board {@code id} of {@code farm}, which answers one STATUS and then hangs. */
  private ActorRef<DeviceActor.Command> hungAfterOneStatus(BoardFarm farm, String id, TestProbe<Answer> probe) {
    ActorRef<DeviceActor.Command> device = device(board(id, farm.endpoint(id)));
    device.tell(new DeviceActor.Status(probe.getRef()));
    assertTrue(probe.receiveMessage().ok());
    farm.board(id).hang();
    return device;
  }

  /** A stopped DeviceActor answers what it was asked, marked so that a STATUS can follow the board. */
  @Test
  void aStoppedActorAnswersItsRequestsAsOwnerStopped() throws Exception {
    try (BoardFarm farm = farm("a6")) {
      TestProbe<Answer> probe = testKit.createTestProbe();
      ActorRef<DeviceActor.Command> device = hungAfterOneStatus(farm, "a6", probe);
      device.tell(new DeviceActor.Status(probe.getRef())); // in flight
      device.tell(new DeviceActor.Status(probe.getRef())); // waiting
      testKit.stop(device);
      for (int i = 0; i < 2; i++) {
        Answer a = probe.receiveMessage();
        assertTrue(a.ownerStopped(), a.toString());
        assertTrue(a.error().startsWith("board a6 moved to another node"), a.error());
      }
      farm.board("a6").release();
    }
  }

  @Test
  void theConsoleKeepsTheLastLines() throws Exception {
    try (BoardFarm farm = farm("a5")) {
      ActorRef<DeviceActor.Command> device = device(board("a5", farm.endpoint("a5")));
      TestProbe<Answer> probe = testKit.createTestProbe();
      device.tell(new DeviceActor.Load("h", BuiltModules.wasmBytes("uart_hello"), false, null, probe.getRef()));
      assertEquals("LOAD_OK", probe.receiveMessage().detail());
      device.tell(new DeviceActor.Start("h", "hello", "n=60", true, Duration.ofSeconds(5), probe.getRef()));
      assertTrue(probe.receiveMessage().ok());
      TestProbe<ConsoleLines> console = testKit.createTestProbe();
      device.tell(new DeviceActor.GetConsole(console.getRef()));
      List<String> lines = console.receiveMessage().lines();
      assertEquals(50, lines.size(), "console-lines = 50");
      assertEquals("hello from wasm 60/60", lines.get(lines.size() - 1));
    }
  }
}
