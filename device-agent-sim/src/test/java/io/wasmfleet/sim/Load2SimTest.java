package io.wasmfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.protocol.Crc32;
import io.wasmfleet.protocol.DeviceLine.Hello;
import io.wasmfleet.protocol.WireLine;
import io.wasmfleet.protocol.WireParams;
import io.wasmfleet.protocol.load2.Load2Frame;
import io.wasmfleet.protocol.load2.Load2Receiver;
import io.wasmfleet.protocol.load2.Load2Sender;
import io.wasmfleet.protocol.load2.ModuleSignature;
import io.wasmfleet.wasm.BuiltModules;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * LOAD v2 against a simulated board with {@code load2 = on}, driven over its TCP link by the
 * gateway's sender logic ({@link Load2Sender}): negotiation, damaged bytes, a wrong digest,
 * resume after an idle timeout, and frames outside an upload.
 */
class Load2SimTest {

  private static final Duration SILENCE = Duration.ofMillis(200);

  private static SimBoards.Started board() throws Exception {
    return SimBoards.start("nucleo_f446re", Map.of("load2", "on", "load-timeout", "1s"));
  }

  private static WireClient connect(SimBoards.Started b) throws Exception {
    WireClient c = b.connect();
    Hello hello = c.next(Hello.class);
    assertEquals("load2", hello.extra().get("caps").orElse(null));
    return c;
  }

  /** The LOAD line that asks for v2. */
  private static String loadLine(String id, byte[] module, String sha) {
    return "LOAD module_id=" + id + " size=" + module.length + " crc32=" + Crc32.hex(Crc32.of(module))
        + " sha256=" + sha + " chunk=1024";
  }

  /** LOAD_READY's keys. */
  private static WireParams ready(WireClient c) throws Exception {
    String ready = c.nextLine();
    assertTrue(ready.startsWith("LOAD_READY "), ready);
    return WireLine.tokenize(ready).orElseThrow().params();
  }

  /** Sends frames as the gateway will, until the board's final answer; returns it. */
  private static String upload(WireClient c, byte[] module, WireParams ready) throws Exception {
    return upload(c, module, ready, null);
  }

  private static String upload(WireClient c, byte[] module, WireParams ready, byte[] signatureFrame)
      throws Exception {
    Load2Sender sender = new Load2Sender(module, Integer.parseInt(ready.get("chunk").orElseThrow()),
        Integer.parseInt(ready.get("window").orElseThrow()), Integer.parseInt(ready.get("offset").orElseThrow()),
        signatureFrame);
    while (true) {
      for (byte[] frame : sender.next()) {
        c.sendBytes(frame);
      }
      String line = c.pollLine(SILENCE);
      if (line == null) {
        sender.onSilence();
      } else if (line.startsWith("LOAD_ACK ")) {
        WireParams ack = WireLine.tokenize(line).orElseThrow().params();
        sender.onAck(Long.parseLong(ack.get("offset").orElseThrow()), Long.parseLong(ack.get("end").orElseThrow()));
      } else if (line.startsWith("LOAD_NAK ")) {
        sender.onNak(Long.parseLong(WireLine.tokenize(line).orElseThrow().params().get("offset").orElseThrow()));
      } else {
        return line;
      }
    }
  }

  @Test
  void aModuleLoadsInFramesAndRuns() throws Exception {
    byte[] module = BuiltModules.wasmBytes("math_ops");
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      c.send(loadLine("m", module, Load2Receiver.sha256Hex(module)));
      WireParams ready = ready(c);
      assertEquals("1024", ready.get("chunk").orElseThrow());
      assertEquals("0", ready.get("offset").orElseThrow());
      assertEquals("LOAD_OK sha256=" + Load2Receiver.sha256Hex(module), upload(c, module, ready));
      var status = c.status();
      assertEquals("m", status.modules().get(0).id());
      assertEquals("load2", status.extra().get("caps").orElse(null));
      c.send("START module_id=m func=add args=\"a=2,b=40\"");
      assertTrue(c.nextText().startsWith("START_OK"));
      assertTrue(c.nextText().contains("ret_i32=42"));
    }
  }

  @Test
  void damagedBytesCostFramesNotTheUpload() throws Exception {
    byte[] module = BuiltModules.wasmBytes("fft_bench");
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      c.fault("corrupt_rate=0.001 seed=7");
      for (int i = 0; i < 5; i++) { // the same module id each time: the board replaces it
        c.send(loadLine("f", module, Load2Receiver.sha256Hex(module)));
        assertEquals("LOAD_OK sha256=" + Load2Receiver.sha256Hex(module), upload(c, module, ready(c)), "upload " + i);
      }
      assertEquals(module.length, c.status().modules().get(0).wasmBytes());
      // the same damage makes v1 fail: its one CRC comes after the whole payload
      assertTrue(c.load("f", module).format().startsWith("LOAD_ERR code=BAD_CRC"));
    }
  }

  @Test
  void aModuleThatIsNotTheOneAnnouncedIsRefused() throws Exception {
    byte[] module = BuiltModules.wasmBytes("math_ops");
    String wrong = Load2Receiver.sha256Hex(new byte[] {1});
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      c.send(loadLine("m", module, wrong));
      assertEquals("LOAD_ERR code=BAD_SHA256 msg=\"expected=" + wrong + " got=" + Load2Receiver.sha256Hex(module) + "\"",
          upload(c, module, ready(c)));
      assertTrue(c.status().modules().isEmpty());
      c.send("LOAD module_id=m size=10 crc32=00000000 sha256=xyz chunk=1024");
      assertEquals("LOAD_ERR code=BAD_PARAMS msg=\"sha256\"", c.nextLine());
    }
  }

  @Test
  void anUploadLeftIdleResumesWhereItStopped() throws Exception {
    byte[] module = BuiltModules.wasmBytes("fft_bench");
    String sha = Load2Receiver.sha256Hex(module);
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      c.send(loadLine("f", module, sha));
      ready(c);
      Load2Sender first = new Load2Sender(module, 1024, 2, 0, null);
      int sent = 0;
      for (byte[] frame : first.next()) { // two frames, then the gateway goes away
        c.sendBytes(frame);
        sent++;
      }
      assertEquals(2, sent);
      String line;
      while ((line = c.nextLine()).startsWith("LOAD_ACK ")) {
        // the two frames' acknowledgements
      }
      assertEquals("LOAD_ERR code=TIMEOUT msg=\"idle at offset=2048\"", line);
      c.send(loadLine("f", module, sha));
      WireParams ready = ready(c);
      assertEquals("2048", ready.get("offset").orElseThrow());
      assertEquals("LOAD_OK sha256=" + sha + " resumed_at=2048", upload(c, module, ready));
    }
  }

  @Test
  void aFrameOutsideAnUploadIsNoCommand() throws Exception {
    try (SimBoards.Started b = board(); WireClient c = connect(b)) {
      byte[] frame = new Load2Sender("STATUS\n".getBytes(), 64, 1, 0, null).next().get(0);
      c.sendBytes(frame);
      c.send("STATUS");
      assertTrue(c.nextLine().startsWith("STATUS_OK"), "no ERROR for the frame, and nothing run from it");
    }
  }

  @Test
  void aBoardWithoutLoad2TakesTheKeysAsV1() throws Exception {
    byte[] module = BuiltModules.wasmBytes("math_ops");
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of()); WireClient c = b.connect()) {
      assertFalse(c.next(Hello.class).extra().get("caps").isPresent());
      assertEquals("LOAD_OK", c.load("m", module, "sha256=" + Load2Receiver.sha256Hex(module) + " chunk=1024").format());
    }
  }

  @Test
  void aBoardThatRequiresSignaturesTakesOnlyModulesSignedWithItsKey() throws Exception {
    byte[] module = BuiltModules.wasmBytes("math_ops");
    String sha = Load2Receiver.sha256Hex(module);
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("board-key");
    var pair = ModuleSignature.generate(ModuleSignature.Alg.P256);
    ModuleSignature.writePem(dir.resolve("board.pub"), pair.getPublic());
    String id = ModuleSignature.keyId(pair.getPublic());
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of("load2", "on",
            "signing-key", dir.resolve("board.pub").toString(), "require-signature", "on"));
        WireClient c = connect(b)) {
      assertEquals("LOAD_ERR code=UNSIGNED msg=\"signature required (key " + id + ")\"", c.load("m", module).format());
      c.send(loadLine("m", module, sha));
      assertEquals("LOAD_ERR code=UNSIGNED msg=\"signature required (key " + id + ")\"", c.nextLine());

      c.send(loadLine("m", module, sha) + " sig=p256");
      assertEquals("LOAD_OK sha256=" + sha, upload(c, module, ready(c),
          Load2Frame.signature(Load2Frame.P256, ModuleSignature.sign(pair.getPrivate(), module))));

      var other = ModuleSignature.generate(ModuleSignature.Alg.P256).getPrivate();
      c.send(loadLine("m", module, sha) + " sig=p256 replace=1");
      assertEquals("LOAD_ERR code=BAD_SIGNATURE msg=\"p256 signature does not verify with key " + id + "\"",
          upload(c, module, ready(c), Load2Frame.signature(Load2Frame.P256, ModuleSignature.sign(other, module))));
      // never loaded; and as every LOAD_ERR after LOAD_READY, the slot it was to replace is empty
      assertTrue(c.status().modules().isEmpty());
    }
  }
}
