package io.wasmfleet.gateway.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.gateway.device.Answer;
import io.wasmfleet.gateway.device.DeviceActor;
import java.time.Duration;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A request to a board seen through by its own actor: probes stand in for the board's actors
 * and for the fleet view, the request is sent as the fleet view sends it (with the new actor to
 * answer), and what the asker is told is checked.
 */
class BoardRequestTest {

  private static final ActorTestKit KIT = ActorTestKit.create();

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  private final TestProbe<Answer> asker = KIT.createTestProbe();
  private final TestProbe<FleetView.Command> fleet = KIT.createTestProbe();

  /** What {@code FleetView} does with a request for a board it found at {@code board}. */
  private ActorRef<Object> send(String id, Function<ActorRef<Answer>, DeviceActor.Command> message, Duration timeout,
      boolean follow, TestProbe<DeviceActor.Command> board) {
    FleetView.Request request = new FleetView.Request(id, message, timeout, follow, asker.getRef());
    ActorRef<Object> child = KIT.spawn(BoardRequest.create(request, board.getRef(), fleet.getRef()));
    board.getRef().tell(message.apply(child.narrow()));
    return child;
  }

  @Test
  void theBoardsAnswerIsPassedOnAndTheRequestEnds() {
    TestProbe<DeviceActor.Command> board = KIT.createTestProbe();
    ActorRef<Object> request = send("b1", r -> new DeviceActor.Stop("m", Duration.ofSeconds(1), r),
        Duration.ofSeconds(30), false, board);
    DeviceActor.Stop stop = board.expectMessageClass(DeviceActor.Stop.class);
    stop.replyTo().tell(Answer.ok("RESULT status=STOPPED module_id=m"));
    assertEquals("RESULT status=STOPPED module_id=m", asker.receiveMessage().detail());
    asker.expectTerminated(request);
  }

  @Test
  void aBoardThatDoesNotAnswerInTimeIsSaidToHaveNotAnswered() {
    TestProbe<DeviceActor.Command> board = KIT.createTestProbe();
    ActorRef<Object> request = send("b2", r -> new DeviceActor.Start("m", "run", null, false, Duration.ZERO, r),
        Duration.ofMillis(300), false, board);
    DeviceActor.Start start = board.expectMessageClass(DeviceActor.Start.class);
    Answer a = asker.receiveMessage(Duration.ofSeconds(5));
    assertFalse(a.ok());
    assertEquals("no answer from board b2 within 300 ms", a.error());
    asker.expectTerminated(request);
    start.replyTo().tell(Answer.ok("START_OK")); // too late: nobody is told twice
    asker.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aStatusFollowsItsBoardToTheActorThatDrivesItNow() {
    TestProbe<DeviceActor.Command> old = KIT.createTestProbe();
    TestProbe<DeviceActor.Command> now = KIT.createTestProbe();
    send("n1", DeviceActor.Status::new, Duration.ofSeconds(30), true, old);
    old.expectMessageClass(DeviceActor.Status.class); // lost: the old actor stopped as it arrived
    // every second the request asks the fleet view where the board is
    FleetView.Locate locate = fleet.expectMessageClass(FleetView.Locate.class, Duration.ofSeconds(5));
    assertEquals("n1", locate.boardId());
    locate.replyTo().tell(new FleetView.Found(now.getRef()));
    now.expectMessageClass(DeviceActor.Status.class).replyTo().tell(Answer.ok("STATUS_OK slots=2/4"));
    assertEquals("STATUS_OK slots=2/4", asker.receiveMessage().detail());
  }

  @Test
  void aStatusAnsweredMovedIsAskedAgainWhereTheBoardIsNow() {
    TestProbe<DeviceActor.Command> old = KIT.createTestProbe();
    TestProbe<DeviceActor.Command> now = KIT.createTestProbe();
    send("n2", DeviceActor.Status::new, Duration.ofSeconds(30), true, old);
    old.expectMessageClass(DeviceActor.Status.class).replyTo().tell(Answer.ownerStopped(
        "board n2 moved to another node (or node gw1 stopped) while the request was in flight; its outcome on the"
            + " board is unknown: ask again"));
    fleet.expectMessageClass(FleetView.Locate.class).replyTo().tell(new FleetView.Found(now.getRef()));
    now.expectMessageClass(DeviceActor.Status.class).replyTo().tell(Answer.ok("STATUS_OK"));
    Answer a = asker.receiveMessage();
    assertTrue(a.ok(), a.toString());
  }

  @Test
  void aStatusWhoseBoardCannotBeReachedNowSaysWhy() {
    TestProbe<DeviceActor.Command> old = KIT.createTestProbe();
    send("p2", DeviceActor.Status::new, Duration.ofSeconds(30), true, old);
    old.expectMessageClass(DeviceActor.Status.class).replyTo().tell(Answer.ownerStopped(
        "board p2 moved to another node (or node gw2 stopped) while the request was in flight"));
    fleet.expectMessageClass(FleetView.Locate.class).replyTo().tell(
        new FleetView.Unavailable("board p2 is unavailable: owner node gw2 is down"));
    assertEquals("board p2 is unavailable: owner node gw2 is down", asker.receiveMessage().error());
  }

  @Test
  void aStartIsNeverSentTwice() {
    TestProbe<DeviceActor.Command> board = KIT.createTestProbe();
    send("b3", r -> new DeviceActor.Start("m", "run", null, false, Duration.ZERO, r), Duration.ofSeconds(30),
        false, board);
    DeviceActor.Start start = board.expectMessageClass(DeviceActor.Start.class);
    String moved = "board b3 moved to another node (or node gw1 stopped) while the request was in flight";
    start.replyTo().tell(Answer.ownerStopped(moved));
    assertEquals(moved, asker.receiveMessage().error());
    fleet.expectNoMessage(Duration.ofMillis(1200)); // no move checks: a START may have changed the board
    board.expectNoMessage(Duration.ZERO);
  }
}
