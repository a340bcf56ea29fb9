package io.wasmfleet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.gateway.device.Answer;
import io.wasmfleet.gateway.device.ModuleSlot.Phase;
import io.wasmfleet.gateway.device.ModuleSlot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A board's module slot as the value state machine the DeviceActor owns: every phase against
 * the events the board's lines turn into, and what a request waiting for a RESULT is told.
 */
class ModuleSlotTest {

  private static final ActorTestKit KIT = ActorTestKit.create();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  /** The slot's timers as the actor would run them: which waiters have a timer now. */
  private static final class Timers implements ModuleSlot.Timers {
    final List<Long> running = new ArrayList<>();

    @Override
    public void start(ModuleSlot slot, long waiter, Duration after) {
      running.add(waiter);
    }

    @Override
    public void cancel(ModuleSlot slot, long waiter) {
      running.remove(Long.valueOf(waiter));
    }
  }

  private final Timers timers = new Timers();
  private final ModuleSlot slot = new ModuleSlot(timers);

  private ModuleSlot running(String id, String func) {
    slot.loading(id, 100);
    slot.loaded();
    slot.started(func);
    return slot;
  }

  private TestProbe<Answer> waiter(boolean okOnlyIfOk) {
    TestProbe<Answer> p = KIT.createTestProbe();
    slot.awaitResult(p.getRef(), okOnlyIfOk, WAIT);
    return p;
  }

  @Test
  void anEmptySlotRefusesAWaiterAndIgnoresWhatDoesNotApply() {
    assertEquals("no module in this slot", waiter(true).receiveMessage().error());
    slot.loaded();
    slot.started("f");
    slot.finished("RESULT status=OK", true);
    assertEquals(Phase.EMPTY, slot.phase());
    assertNull(slot.view());
  }

  @Test
  void aLoadEndsLoadedOrEmpty() {
    slot.loading("m", 1234);
    assertEquals("LOADING", slot.view().phase());
    assertEquals("m is still loading", waiter(true).receiveMessage().error());
    slot.loaded();
    assertEquals("LOADED", slot.view().phase());
    assertEquals(1234, slot.view().wasmBytes());
    assertEquals("m has no job running", waiter(true).receiveMessage().error());
    slot.loading("n", 10);
    slot.loadFailed();
    assertEquals(Phase.EMPTY, slot.phase());
    slot.loading("n", 10);
    slot.linkLost("link lost");
    assertEquals(Phase.EMPTY, slot.phase(), "a load cut by the link leaves nothing until STATUS says");
  }

  @Test
  void aResultAnswersEveryWaiterAsItAskedAndStopsTheirTimers() {
    running("m", "add");
    assertEquals("RUNNING", slot.view().phase());
    assertEquals("add", slot.view().func());
    TestProbe<Answer> strict = waiter(true);
    TestProbe<Answer> lenient = waiter(false);
    assertEquals(2, timers.running.size());
    slot.finished("RESULT status=TRAP module_id=m", false);
    Answer a = strict.receiveMessage();
    assertFalse(a.ok());
    assertEquals("RESULT status=TRAP module_id=m", a.error());
    Answer b = lenient.receiveMessage();
    assertTrue(b.ok());
    assertEquals("RESULT status=TRAP module_id=m", b.detail());
    assertTrue(timers.running.isEmpty());
    assertEquals("LOADED", slot.view().phase());
  }

  @Test
  void aWaiterThatTimesOutIsToldTheJobStillRunsAndTheOthersWait() {
    running("m", "spin");
    TestProbe<Answer> first = waiter(true);
    TestProbe<Answer> second = waiter(true);
    slot.waiterTimedOut(timers.running.get(0));
    assertEquals("no RESULT for m in time; the job is still running (stop it with: stop --module-id m)",
        first.receiveMessage().error());
    second.expectNoMessage(Duration.ofMillis(50));
    slot.finished("RESULT status=OK module_id=m", true);
    assertTrue(second.receiveMessage().ok());
  }

  @Test
  void aStopPendingThenIdleEndsTheJobWithoutItsResult() {
    running("m", "spin");
    slot.stopPending();
    assertEquals("STOPPING", slot.view().phase());
    TestProbe<Answer> w = waiter(false);
    slot.jobGone();
    assertEquals("the job of m ended, but its RESULT was not seen", w.receiveMessage().error());
    assertEquals(Phase.LOADED, slot.phase());
  }

  @Test
  void aLostLinkAnswersWaitersButKeepsTheJobAsLastSeen() {
    running("m", "spin");
    TestProbe<Answer> w = waiter(true);
    slot.linkLost("link to board b lost: reset");
    assertEquals("link to board b lost: reset", w.receiveMessage().error());
    assertEquals(Phase.RUNNING, slot.phase());
  }

  @Test
  void statusIsTheTruthForTheSlot() {
    running("m", "spin");
    TestProbe<Answer> w = waiter(true);
    slot.adopt("m", true, 100); // still running: nothing changes
    w.expectNoMessage(Duration.ofMillis(50));
    slot.adopt("m", false, 100); // STATUS says idle: the RESULT was lost
    assertEquals("the job of m ended, but its RESULT was not seen", w.receiveMessage().error());
    assertEquals(Phase.LOADED, slot.phase());
    slot.adopt("other", true, 7);
    assertEquals("other", slot.view().id());
    assertEquals("RUNNING", slot.view().phase());
    TestProbe<Answer> w2 = waiter(true);
    slot.clear("the module is no longer on board b");
    assertEquals("the module is no longer on board b", w2.receiveMessage().error());
    assertNull(slot.view());
  }

  @Test
  void aReplaceOrTheOwnerStoppingAnswersTheJobsWaiters() {
    running("m", "spin");
    TestProbe<Answer> w = waiter(true);
    slot.loading("n", 5);
    assertEquals("m was replaced before its job ended", w.receiveMessage().error());
    slot.loaded();
    slot.started("go");
    TestProbe<Answer> w2 = waiter(true);
    slot.ownerStopped();
    assertTrue(w2.receiveMessage().error().startsWith("the board moved to another node (or this node stopped) while the job of n ran"));
  }
}
