package io.wasmfleet.gateway.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.gateway.device.DeviceActor.Load;
import io.wasmfleet.gateway.device.DeviceActor.Start;
import io.wasmfleet.gateway.device.DeviceActor.Stop;
import io.wasmfleet.gateway.device.Exchange.LoadOp;
import io.wasmfleet.gateway.device.Exchange.StartOp;
import io.wasmfleet.gateway.device.Exchange.StatusOp;
import io.wasmfleet.gateway.device.Exchange.Step;
import io.wasmfleet.gateway.device.Exchange.StopOp;
import io.wasmfleet.protocol.DeviceLine.StatusOk;
import io.wasmfleet.protocol.DeviceLine;
import io.wasmfleet.protocol.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * The board's replies against the commands awaiting them, as the DeviceActor's plain logic:
 * lines in, answers out (into inboxes, no actor system), and the slots as lists show them.
 * Each case is a conversation a real board (firmware 1.0.0 or ours) has with the gateway.
 */
class ExchangeTest {

  private static final Duration RESULT_WAIT = Duration.ofSeconds(10);

  private final Exchange exchange = new Exchange("b1", new SlotTable("b1", 2, new ModuleSlot.Timers() {
    @Override
    public void start(ModuleSlot slot, long waiter, Duration after) {}

    @Override
    public void cancel(ModuleSlot slot, long waiter) {}
  }));
  private long ids;

  private static DeviceLine line(String text) {
    return DeviceLine.parse(text);
  }

  private static StatusOk status(String modules) {
    return (StatusOk) line("STATUS_OK modules=\"" + modules + "\" low_stack=\"none\" wamr_total=102400"
        + " wamr_free=50000 wamr_used=52400 wamr_highmark=60000");
  }

  private static byte[] wasm(String tag) {
    return ("\0asm" + tag).getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String hex(io.wasmfleet.protocol.GatewayCommand.Load load) {
    return io.wasmfleet.protocol.Crc32.hex(load.crc32());
  }

  private List<String> shown() {
    return exchange.views().stream().map(v -> v.id() + ":" + v.phase()).toList();
  }

  private LoadOp load(String id, byte[] payload, boolean replace, String victim, TestInbox<Answer> to)
      throws WireFormatException {
    return exchange.load(++ids, new Load(id, payload, replace, victim, to.getRef()));
  }

  /** LOAD through LOAD_READY and LOAD_OK: the module is LOADED in a slot. */
  private void loaded(String id, byte[] payload) throws WireFormatException {
    TestInbox<Answer> to = TestInbox.create();
    LoadOp op = load(id, payload, false, null, to);
    Step ready = exchange.reply(line("LOAD_READY module_id=" + id + " size=" + payload.length + " crc32="
        + hex(op.command())), op, false);
    Step ok = exchange.reply(line("LOAD_OK"), ready.next(), false);
    exchange.finish(ready.next(), ok.answer());
    assertTrue(to.receiveMessage().ok());
  }

  private StartOp start(String id, boolean waitResult, TestInbox<Answer> to) throws WireFormatException {
    return exchange.start(++ids, new Start(id, null, null, waitResult, RESULT_WAIT, to.getRef()));
  }

  @Test
  void aLoadSendsItsPayloadOnlyAfterItsOwnLoadReadyAndEndsWithLoadOk() throws Exception {
    TestInbox<Answer> to = TestInbox.create();
    byte[] payload = wasm("fft");
    LoadOp op = load("fft", payload, false, null, to);
    assertEquals("LOAD module_id=fft size=7 crc32=" + hex(op.command()), op.command().format());

    assertFalse(exchange.reply(line("LOAD_READY module_id=other size=7 crc32=00000000"), op, false).handled(),
        "another module's LOAD_READY is not this LOAD's reply");
    assertFalse(exchange.reply(line("LOAD_READY module_id=fft size=8 crc32=00000000"), op, false).handled(),
        "nor one for another size");

    Step ready = exchange.reply(line("LOAD_READY module_id=fft size=7 crc32=" + hex(op.command())), op, false);
    assertTrue(ready.sendPayload(), "the payload goes out now");
    assertEquals(List.of("fft:LOADING"), shown());

    Step ok = exchange.reply(line("LOAD_OK"), ready.next(), false);
    assertTrue(ok.resync(), "LOAD_OK does not say what the module took from the pool: STATUS is read after it");
    exchange.finish(ready.next(), ok.answer());
    assertEquals(Answer.ok("LOAD_OK"), to.receiveMessage());
    assertEquals(List.of("fft:LOADED"), shown());
  }

  @Test
  void aLoadReadyThatComesAfterTheWaitEndedSendsNoPayload() throws Exception {
    TestInbox<Answer> to = TestInbox.create();
    LoadOp op = load("fft", wasm("fft"), false, null, to);
    Step late = exchange.reply(line("LOAD_READY module_id=fft size=7 crc32=" + hex(op.command())), op, true);
    assertFalse(late.sendPayload());
    assertEquals("no LOAD_READY from board b1 in time; it came late, so the payload was not sent and the board"
        + " abandons the load", late.answer().error());
    assertEquals(List.of(), shown());
  }

  @Test
  void aLoadErrAfterTheCrcCheckEmptiesTheSlotAndTheBoardIsReadAgain() throws Exception {
    TestInbox<Answer> to = TestInbox.create();
    LoadOp op = load("fft", wasm("fft"), false, null, to);
    Step ready = exchange.reply(line("LOAD_READY module_id=fft size=7 crc32=" + hex(op.command())), op, false);
    Step err = exchange.reply(line("LOAD_ERR code=BAD_CRC msg=\"crc mismatch\""), ready.next(), false);
    assertTrue(err.resync(), "which slot the board emptied is asked of the board");
    exchange.finish(ready.next(), err.answer());
    assertEquals(Answer.error("LOAD_ERR code=BAD_CRC msg=\"crc mismatch\""), to.receiveMessage());
    assertEquals(List.of(), shown());
  }

  @Test
  void aFailedReplaceLoadsTheDestroyedModuleAgainAndSaysSo() throws Exception {
    byte[] old = wasm("v1");
    loaded("app", old);
    TestInbox<Answer> to = TestInbox.create();
    LoadOp replace = load("app", wasm("v2"), true, null, to);
    assertNotNull(replace.rollback(), "a replace in place destroys the old app on a firmware 1.0.0 board");

    Step ready = exchange.reply(line("LOAD_READY module_id=app size=6 crc32=" + hex(replace.command())),
        replace, false);
    Step err = exchange.reply(line("LOAD_ERR code=BAD_CRC"), ready.next(), false);
    exchange.finish(ready.next(), err.answer());
    assertFalse(to.hasMessages(), "not answered before STATUS shows whether app is gone");
    assertTrue(exchange.rollbackPending());

    exchange.reconcile(status("none"));
    LoadOp restore = exchange.rollbackAfter(status("none"), ++ids);
    assertNotNull(restore);
    assertEquals("LOAD module_id=app size=6 crc32=" + hex(restore.command()), restore.command().format());
    assertSame(old, restore.request().payload(), "the last good artifact");

    Step again = exchange.reply(line("LOAD_READY module_id=app size=6 crc32=" + hex(restore.command())),
        restore, false);
    Step ok = exchange.reply(line("LOAD_OK"), again.next(), false);
    exchange.finish(again.next(), ok.answer());
    Answer answer = to.receiveMessage();
    assertEquals("LOAD_ERR code=BAD_CRC", answer.error());
    assertEquals(Boolean.TRUE, answer.rolledBack());
    assertEquals(List.of("app:LOADED"), shown());
  }

  @Test
  void aFailedReplaceThatLeftTheOldModuleIsAnsweredAsItFailed() throws Exception {
    loaded("app", wasm("v1"));
    TestInbox<Answer> to = TestInbox.create();
    LoadOp replace = load("app", wasm("v2"), true, null, to);
    exchange.finish(replace, Answer.error("LOAD_ERR code=BUSY msg=\"module running\""));
    assertNull(exchange.rollbackAfter(status("app:LOADED:wasm=6:stack_free=3000"), ++ids));
    Answer answer = to.receiveMessage();
    assertEquals("LOAD_ERR code=BUSY msg=\"module running\"", answer.error());
    assertNull(answer.rolledBack());
    assertNull(answer.rollbackFailed());
  }

  @Test
  void aReplaceOfAModuleTheGatewayNeverLoadedCannotBeRolledBack() throws Exception {
    exchange.reconcile(status("theirs:LOADED:wasm=100:stack_free=3000"));
    TestInbox<Answer> to = TestInbox.create();
    LoadOp replace = load("mine", wasm("m"), true, "theirs", to);
    exchange.finish(replace, Answer.error("LOAD_ERR code=BAD_CRC"));
    assertNull(exchange.rollbackAfter(status("none"), ++ids));
    assertEquals("the gateway kept no copy of theirs (it was not loaded through this gateway since it started)",
        to.receiveMessage().rollbackFailed());
  }

  @Test
  void startWithWaitIsAnsweredByItsJobsResult() throws Exception {
    loaded("fft", wasm("fft"));
    TestInbox<Answer> to = TestInbox.create();
    StartOp op = start("fft", true, to);
    Step started = exchange.reply(line("START_OK"), op, false);
    assertTrue(started.handled());
    assertNull(started.answer(), "the slot answers once the RESULT comes");
    assertEquals(List.of("fft:RUNNING"), shown());

    assertTrue(exchange.result((DeviceLine.Result) line("RESULT status=OK module_id=fft func=app_main ret_i32=7")));
    assertEquals(Answer.ok("RESULT status=OK module_id=fft func=app_main ret_i32=7"), to.receiveMessage());
    assertEquals(List.of("fft:LOADED"), shown());
  }

  @Test
  void aResultWithoutModuleIdGoesToTheJobStartedLast() throws Exception {
    loaded("a", wasm("a"));
    loaded("b", wasm("b"));
    TestInbox<Answer> toA = TestInbox.create();
    TestInbox<Answer> toB = TestInbox.create();
    exchange.reply(line("START_OK"), start("a", true, toA), false);
    exchange.reply(line("START_OK"), start("b", true, toB), false);

    assertTrue(exchange.result((DeviceLine.Result) line("RESULT status=NO_EXEC_ENV msg=\"free=1000\"")));
    Answer b = toB.receiveMessage();
    assertFalse(b.ok());
    assertEquals("RESULT status=NO_EXEC_ENV msg=\"free=1000\"", b.error());
    assertFalse(toA.hasMessages());
    assertFalse(exchange.result((DeviceLine.Result) line("RESULT status=NO_FUNC")),
        "with no job started since, nobody owns it: it is console output");
    assertEquals(List.of("a:RUNNING", "b:LOADED"), shown());
  }

  @Test
  void aStartRefusedBeforeStartOkIsAnsweredByTheRefusal() throws Exception {
    TestInbox<Answer> to = TestInbox.create();
    StartOp op = start("ghost", false, to);
    assertNull(exchange.startRefusal((DeviceLine.Result) line("RESULT status=NO_MODULE module_id=other"), op),
        "another module's RESULT is not this START's refusal");
    assertNull(exchange.startRefusal((DeviceLine.Result) line("RESULT status=OK module_id=ghost"), op));
    assertEquals(Answer.error("RESULT status=NO_MODULE"),
        exchange.startRefusal((DeviceLine.Result) line("RESULT status=NO_MODULE"), op));
    StatusOp reRead = new StatusOp(++ids, null, 0, op, "no START_OK in time");
    assertEquals(Answer.error("RESULT status=BUSY"),
        exchange.startRefusal((DeviceLine.Result) line("RESULT status=BUSY"), reRead),
        "a late START is still answered by its refusal");
  }

  @Test
  void aStartOfAModuleTheGatewayDidNotLoadRereadsTheBoard() throws Exception {
    TestInbox<Answer> to = TestInbox.create();
    Step step = exchange.reply(line("START_OK"), start("theirs", true, to), false);
    assertTrue(step.resync());
    assertEquals("theirs was started, but it was not loaded through this gateway; try again", step.answer().error());
  }

  @Test
  void stopPendingWaitsForTheResultAndStopIdleTellsTheWaitersTheirResultWasLost() throws Exception {
    loaded("loop", wasm("loop"));
    TestInbox<Answer> starter = TestInbox.create();
    exchange.reply(line("START_OK"), start("loop", true, starter), false);

    TestInbox<Answer> stopper = TestInbox.create();
    StopOp stop = exchange.stop(++ids, new Stop("loop", RESULT_WAIT, stopper.getRef()));
    Step pending = exchange.reply(line("STOP_OK status=PENDING"), stop, false);
    assertNull(pending.answer());
    assertEquals(List.of("loop:STOPPING"), shown());
    exchange.result((DeviceLine.Result) line("RESULT status=STOPPED forced=1 module_id=loop func=app_main"));
    assertTrue(stopper.receiveMessage().ok(), "a STOP is satisfied by STOPPED");
    assertFalse(starter.receiveMessage().ok(), "the START waited for OK and got STOPPED");

    exchange.reply(line("START_OK"), start("loop", true, starter), false);
    Step idle = exchange.reply(line("STOP_OK status=IDLE"),
        exchange.stop(++ids, new Stop("loop", RESULT_WAIT, stopper.getRef())), false);
    assertEquals(Answer.ok("STOP_OK status=IDLE"), idle.answer());
    assertEquals("the job of loop ended, but its RESULT was not seen", starter.receiveMessage().error());
  }

  @Test
  void anErrorLineEndsTheCommandAndUnrelatedLinesDoNot() throws Exception {
    TestInbox<Answer> to = TestInbox.create();
    StartOp op = start("x", false, to);
    assertEquals(Answer.error("ERROR code=UNKNOWN_COMMAND"), exchange.reply(line("ERROR code=UNKNOWN_COMMAND"), op,
        false).answer());
    assertFalse(exchange.reply(line("LOAD_OK"), op, false).handled());
    assertFalse(exchange.reply(line("STOP_OK status=IDLE"), op, false).handled());
  }

  @Test
  void statusIsTheBoardsTruthAndTellsWhoWaitedOnAVanishedJob() throws Exception {
    assertFalse(exchange.result((DeviceLine.Result) line("RESULT status=OK module_id=native.fft")));
    loaded("a", wasm("a"));
    TestInbox<Answer> to = TestInbox.create();
    exchange.reply(line("START_OK"), start("a", true, to), false);
    exchange.reconcile((StatusOk) line(status("b:RUNNING:wasm=900:stack_free=3000").format() + " caps=native,load2"));
    assertEquals("the job of a ended, but its RESULT was not seen", to.receiveMessage().error());
    assertEquals(List.of("b:RUNNING"), shown());
    assertEquals(102400, exchange.pool().total());
    assertEquals("native,load2", exchange.reported().get("caps"), "caps repeated on STATUS are kept");
    assertTrue(exchange.result((DeviceLine.Result) line("RESULT status=OK module_id=native.fft")),
        "caps=native: the built-in benchmarks have slots of their own");
  }

  @Test
  void aRequestWhoseReplyNeverCameIsToldWhatStatusShowedAfterwards() throws Exception {
    TestInbox<Answer> to = TestInbox.create();
    StartOp op = start("fft", false, to);
    assertEquals("no START_OK from board b1 within 3000 ms; the board's STATUS afterwards: fft RUNNING",
        Exchange.lateAnswer(op, "no START_OK from board b1 within 3000 ms",
            status("fft:RUNNING:wasm=100:stack_free=3000")).error());
    assertEquals("x; the board's STATUS afterwards: fft is not loaded",
        Exchange.lateAnswer(op, "x", status("none")).error());
  }

  @Test
  void onlyTheFirstHelloOnAnEmptyBoardIsExpectedAnyOtherIsAReboot() throws Exception {
    DeviceLine.Hello hello = (DeviceLine.Hello) line(
        "HELLO device_id=b1 rtos=Zephyr runtime=WAMR fw_version=1.1.0 board=nucleo_f446re caps=native");
    StatusOp ownReRead = new StatusOp(++ids, null, 0, null, null);
    assertTrue(exchange.hello(hello, ownReRead));
    assertEquals("nucleo_f446re", exchange.reported().get("board"));
    assertEquals("1.1.0", exchange.reported().get("fw_version"));

    loaded("a", wasm("a"));
    TestInbox<Answer> to = TestInbox.create();
    StartOp start = start("a", true, to);
    exchange.reply(line("START_OK"), start, false);
    assertFalse(exchange.hello(hello, null), "a HELLO with modules loaded: the board rebooted");
    exchange.rebooted("board b1 rebooted; its modules are gone");
    assertEquals("board b1 rebooted; its modules are gone (a was lost)", to.receiveMessage().error());
    assertEquals(List.of(), shown());
    assertFalse(exchange.result((DeviceLine.Result) line("RESULT status=NO_FUNC")),
        "no job survives a reboot to own a RESULT without module_id");
  }
}
