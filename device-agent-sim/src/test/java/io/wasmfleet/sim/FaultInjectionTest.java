package io.wasmfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.wasmfleet.protocol.Crc32;
import io.wasmfleet.protocol.DeviceLine;
import io.wasmfleet.protocol.DeviceLine.Hello;
import io.wasmfleet.protocol.DeviceLine.LoadErr;
import io.wasmfleet.protocol.DeviceLine.StatusOk;
import io.wasmfleet.wasm.BuiltModules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every fault kind, set over the wire (SIM_FAULT) or from config, as a gateway would see it. */
class FaultInjectionTest {

  private static byte[] math() {
    return BuiltModules.wasmBytes("math_ops");
  }

  private static SimBoards.Started board() throws Exception {
    return SimBoards.start("nucleo_f446re", Map.of("load-timeout", "300ms"));
  }

  private static WireClient connect(SimBoards.Started b) throws Exception {
    WireClient c = b.connect();
    c.next(Hello.class);
    return c;
  }

  @Test
  void corruptedPayloadBytesAreABadCrc() throws Exception {
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      c.fault("corrupt_rate=1");
      LoadErr err = (LoadErr) c.load("m", math());
      assertEquals("BAD_CRC", err.code());
      c.fault("clear=1");
      assertEquals("LOAD_OK", c.load("m", math()).format());
    }
  }

  @Test
  void droppedPayloadBytesTimeOut() throws Exception {
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      c.fault("drop_rate=0.5 seed=3");
      assertEquals("LOAD_ERR code=TIMEOUT msg=\"binary payload not received\"", c.load("m", math()).format());
    }
  }

  @Test
  void delayedRepliesTakeAtLeastTheDelay() throws Exception {
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      c.fault("delay_ms=250");
      long start = System.nanoTime();
      c.status();
      assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 250);
    }
  }

  @Test
  void aCutConnectionLosesThePartialLineButNotTheBoard() throws Exception {
    try (SimBoards.Started b = board()) {
      try (WireClient c = connect(b)) {
        c.loadOk("m", math());
        c.fault("cut_after_bytes=10");
        c.send("STATUS");
        assertTrue(c.nextText().startsWith("STATUS_OK"));
        c.send("STATUS");
        assertTrue(c.closedByBoard(), "the board's side closed after 10 bytes");
      }
      try (WireClient again = b.connect()) {
        again.send("STATUS");
        assertEquals("ERROR code=UNKNOWN_COMMAND", again.nextText(), "'STA' + 'STATUS' is one broken line");
        StatusOk status = again.status();
        assertTrue(status.module("m").isPresent(), "the module survived the cut");
      }
    }
  }

  @Test
  void rebootLosesEveryModuleAndSaysHello() throws Exception {
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      c.loadOk("m", math());
      c.send("SIM_REBOOT");
      assertEquals("SIM_OK action=reboot", c.nextLine());
      assertEquals("board-under-test", c.next(Hello.class).deviceId());
      StatusOk status = c.status();
      assertTrue(status.modules().isEmpty());
      assertEquals(status.pool().used(), status.pool().highmark(), "a fresh pool after a reboot");
    }
  }

  @Test
  void rebootMidLoad() throws Exception {
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      c.fault("reboot_at_payload_byte=100");
      byte[] fft = BuiltModules.wasmBytes("fft_bench");
      DeviceLine reply = c.load("f", fft);
      assertTrue(reply instanceof Hello, "the board rebooted instead of answering: " + reply.format());
      // where the payload's tail stops depends on when the reboot landed: end its last line first,
      // so STATUS is a line of its own (an empty line is ignored)
      c.send("");
      c.send("STATUS");
      DeviceLine line;
      while (!((line = c.next()) instanceof StatusOk)) {
        assertEquals("ERROR code=UNKNOWN_COMMAND", line.format(), "the rest of the payload is junk to a fresh board");
      }
      assertTrue(((StatusOk) line).modules().isEmpty());
    }
  }

  @Test
  void rebootMidRunEndsTheJobWithoutAResult() throws Exception {
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      c.loadOk("t", BuiltModules.wasmBytes("toggle_forever"));
      c.send("START module_id=t func=toggle_forever");
      assertEquals("START_OK", c.nextText());
      b.board().reboot();
      assertTrue(c.next() instanceof Hello, "the next line is HELLO, not a RESULT");
      assertTrue(c.status().modules().isEmpty());
    }
  }

  @Test
  void aHungBoardIgnoresCommandsUntilReleased() throws Exception {
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      c.send("SIM_HANG");
      assertEquals("SIM_OK action=hang", c.nextLine());
      c.send("STATUS");
      c.send("START module_id=m");
      c.send("SIM_RELEASE");
      assertEquals("SIM_OK action=release", c.nextLine(), "nothing was answered while hung");
      assertTrue(c.status().modules().isEmpty(), "answers again after release; the START was dropped");
    }
  }

  @Test
  void resultsProducedWhileHungArriveOnRelease() throws Exception {
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      c.loadOk("b", BuiltModules.wasmBytes("blink"));
      c.send("START module_id=b func=blink args=\"ms=60000\"");
      assertEquals("START_OK", c.nextText());
      SimBoards.awaitToggles(c, "b", 1);
      c.send("STOP module_id=b");
      assertEquals("STOP_OK status=PENDING", c.nextText());
      c.send("SIM_HANG");
      assertEquals("SIM_OK action=hang", c.nextLine());
      SimBoards.awaitInfo(c, "running=\"none\"");
      c.send("SIM_RELEASE");
      assertEquals("SIM_OK action=release", c.nextLine());
      DeviceLine.Result forced = c.next(DeviceLine.Result.class);
      assertTrue(forced.forced(), "the forced RESULT printed while hung comes out on release");
    }
  }

  @Test
  void aRebootEndsAHang() throws Exception {
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      b.board().hang();
      b.board().reboot();
      assertTrue(c.next() instanceof Hello, "a reboot (watchdog) ends the hang");
      assertTrue(c.status().modules().isEmpty());
    }
  }

  @Test
  void noiseLinesComeBetweenRepliesAndReplayUnderASeed() throws Exception {
    List<List<String>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      try (SimBoards.Started b = board(); WireClient c = connect(b)) {
        c.fault("noise_rate=0.7 seed=42");
        c.loadOk("m", math());
        for (int i = 0; i < 10; i++) {
          c.send("START module_id=m func=add args=\"a=" + i + ",b=1\"");
          assertEquals("START_OK", c.nextText());
          assertEquals(i + 1, c.next(DeviceLine.Result.class).retI32());
        }
        c.status();
        assertFalse(c.console().isEmpty(), "noise was printed");
        runs.add(new ArrayList<>(c.console()));
      }
    }
    assertEquals(runs.get(0), runs.get(1), "the same seed and traffic give the same noise");
  }

  @Test
  void aShrunkPoolRefusesLoads() throws Exception {
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      long total = c.status().pool().total();
      c.fault("pool_shrink=" + (total - 4096));
      assertEquals("NO_MEM", ((LoadErr) c.load("f", BuiltModules.wasmBytes("fft_bench"))).code());
    }
  }

  @Test
  void faultsFromConfigApplyFromBoot() throws Exception {
    BoardSpec spec = new BoardSpec("faulty", "nucleo_f446re", 0, null, ConfigFactory.empty(),
        ConfigFactory.parseMap(Map.of("corrupt-rate", 1.0)));
    try (BoardFarm farm = BoardFarm.start(ConfigFactory.load(), List.of(spec));
        WireClient c = new SimBoards.Started(farm, "faulty").connect()) {
      c.next(Hello.class);
      assertEquals("BAD_CRC", ((LoadErr) c.load("m", math())).code());
    }
  }

  @Test
  void badAdminLinesAreRefusedByName() throws Exception {
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      c.send("SIM_FAULT corrupt_rate=2");
      assertEquals("SIM_ERR msg=\"corrupt_rate must be between 0 and 1\"", c.nextLine());
      c.send("SIM_FAULT warp_drive=1");
      assertEquals("SIM_ERR msg=\"unknown fault warp_drive\"", c.nextLine());
      c.send("SIM_BOGUS");
      assertEquals("SIM_ERR msg=\"unknown admin command SIM_BOGUS\"", c.nextLine());
    }
  }

  @Test
  void oneBoardsFaultNeverTouchesAnother() throws Exception {
    List<BoardSpec> specs = List.of(
        BoardSpec.parse("a=nucleo_f446re:0"), BoardSpec.parse("b=nucleo_f746zg:0"));
    try (BoardFarm farm = BoardFarm.start(ConfigFactory.load(), specs);
        WireClient a = new SimBoards.Started(farm, "a").connect();
        WireClient b = new SimBoards.Started(farm, "b").connect()) {
      a.next(Hello.class);
      b.next(Hello.class);
      a.send("SIM_FAULT corrupt_rate=1 delay_ms=50");
      a.nextLine();
      farm.board("a").hang();
      b.loadOk("m", math());
      b.send("START module_id=m func=add args=\"a=2,b=3\"");
      assertEquals("START_OK", b.nextText());
      assertEquals(5, b.next(DeviceLine.Result.class).retI32());
      farm.board("a").release();
      assertEquals("BAD_CRC", ((LoadErr) a.load("m", math())).code());
    }
  }

  @Test
  void crcOfTheFaultyPayloadIsReported() throws Exception {
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      c.fault("corrupt_rate=1 seed=9");
      byte[] m = math();
      LoadErr err = (LoadErr) c.load("m", m);
      assertTrue(err.msg().startsWith("expected=" + Crc32.hex(Crc32.of(m)) + " got="), err.msg());
    }
  }
}
