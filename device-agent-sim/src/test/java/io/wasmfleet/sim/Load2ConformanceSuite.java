package io.wasmfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.protocol.Crc32;
import io.wasmfleet.protocol.WireLine;
import io.wasmfleet.protocol.WireParams;
import io.wasmfleet.protocol.load2.Load2Frame;
import io.wasmfleet.protocol.load2.Load2Receiver;
import io.wasmfleet.protocol.load2.Load2Sender;
import io.wasmfleet.protocol.load2.ModuleSignature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * LOAD v2 (docs/wire-protocol.md), checked only through the wire, on top of the v1 suite: the
 * same cases run against the simulator ({@code load2 = on}) and the firmware's C core
 * ({@code agent-host}). The board is driven by the gateway's own sender logic
 * ({@link Load2Sender}); damage is done to the frames on their way, so it needs no fault
 * injection in the board.
 */
public abstract class Load2ConformanceSuite extends WireConformanceSuite {

  private static final Duration SILENCE = Duration.ofMillis(200);

  /** A board that speaks v2, its HELLO read (and checked to say so). */
  protected Session v2Session(Map<String, String> settings) throws Exception {
    Map<String, String> overrides = new HashMap<>(settings);
    overrides.put("load2", "on");
    Session s = session(F446, overrides);
    assertTrue(s.hello.extra().get("caps").orElse("").contains("load2"), "HELLO says caps=load2");
    return s;
  }

  /** The LOAD line that asks for v2. */
  protected static String loadLine(String id, byte[] module, String sha) {
    return "LOAD module_id=" + id + " size=" + module.length + " crc32=" + Crc32.hex(Crc32.of(module))
        + " sha256=" + sha + " chunk=1024";
  }

  protected static WireParams ready(WireClient c) throws Exception {
    String ready = c.nextLine();
    assertTrue(ready.startsWith("LOAD_READY "), ready);
    return WireLine.tokenize(ready).orElseThrow().params();
  }

  /** What an upload took: the board's final answer, the frames' bytes sent, the NAKs. */
  protected record Upload(String answer, long bytesSent, int naks) {}

  /**
   * Sends frames as the gateway does until the board's final answer; {@code damage} is the share
   * of frame bytes that get one bit flipped on the way (seeded).
   */
  protected static Upload upload(WireClient c, byte[] module, WireParams ready, byte[] signatureFrame, double damage)
      throws Exception {
    Load2Sender sender = new Load2Sender(module, Integer.parseInt(ready.get("chunk").orElseThrow()),
        Integer.parseInt(ready.get("window").orElseThrow()), Integer.parseInt(ready.get("offset").orElseThrow()),
        signatureFrame);
    Random random = new Random(7);
    int naks = 0;
    while (true) {
      for (byte[] frame : sender.next()) {
        byte[] sent = frame.clone();
        for (int i = 0; i < sent.length && damage > 0; i++) {
          if (random.nextDouble() < damage) {
            sent[i] ^= (byte) (1 << random.nextInt(8));
          }
        }
        c.sendBytes(sent);
      }
      String line = c.pollLine(SILENCE);
      if (line == null) {
        sender.onSilence();
      } else if (line.startsWith("LOAD_ACK ")) {
        WireParams ack = WireLine.tokenize(line).orElseThrow().params();
        sender.onAck(Long.parseLong(ack.get("offset").orElseThrow()), Long.parseLong(ack.get("end").orElseThrow()));
      } else if (line.startsWith("LOAD_NAK ")) {
        naks++;
        sender.onNak(Long.parseLong(WireLine.tokenize(line).orElseThrow().params().get("offset").orElseThrow()));
      } else {
        return new Upload(line, sender.bytesSent(), naks);
      }
    }
  }

  /**
   * math_ops (which every board's VM runs) grown to {@code size} bytes by a custom section of
   * bytes of every value (0x0A, 0x0D and 0xA5 among them) and runs of 600 without a zero, so an
   * upload takes many frames and COBS's longest blocks.
   */
  protected static byte[] largeModule(int size) {
    byte[] base = module("math_ops");
    byte[] name = "wasmfleet.filler".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int payload = size - base.length - 1 - 3 - 1 - name.length; // id, 3-byte LEB size, name length, name
    byte[] out = java.util.Arrays.copyOf(base, size);
    int at = base.length;
    int sectionSize = 1 + name.length + payload;
    out[at++] = 0; // a custom section
    out[at++] = (byte) (0x80 | sectionSize & 0x7F);
    out[at++] = (byte) (0x80 | sectionSize >> 7 & 0x7F);
    out[at++] = (byte) (sectionSize >> 14);
    out[at++] = (byte) name.length;
    System.arraycopy(name, 0, out, at, name.length);
    at += name.length;
    for (int i = 0; at < size; i++) {
      out[at++] = (byte) (i % 1024 < 600 ? 1 + i % 255 : i * 7 + (i >> 8));
    }
    return out;
  }

  protected static String upload(WireClient c, byte[] module, WireParams ready) throws Exception {
    return upload(c, module, ready, null, 0).answer();
  }

  @Test
  void v2AModuleLoadsInFramesAndRuns() throws Exception {
    byte[] module = module("math_ops");
    String sha = Load2Receiver.sha256Hex(module);
    try (Session s = v2Session(Map.of())) {
      WireClient c = s.wire;
      c.send(loadLine("m", module, sha));
      WireParams ready = ready(c);
      assertEquals("1024", ready.get("chunk").orElseThrow());
      assertEquals("0", ready.get("offset").orElseThrow());
      assertEquals("LOAD_OK sha256=" + sha, upload(c, module, ready));
      var status = c.status();
      assertEquals("m", status.modules().get(0).id());
      assertTrue(status.extra().get("caps").orElse("").contains("load2"), "STATUS_OK says caps=load2");
      c.send("START module_id=m func=add args=\"a=2,b=40\"");
      assertTrue(c.nextText().startsWith("START_OK"));
      assertTrue(c.nextText().contains("ret_i32=42"));
    }
  }

  @Test
  void v2DamagedFramesAreSentAgainNotTheModule() throws Exception {
    byte[] module = largeModule(32 * 1024);
    String sha = Load2Receiver.sha256Hex(module);
    try (Session s = v2Session(Map.of())) {
      WireClient c = s.wire;
      c.send(loadLine("f", module, sha));
      Upload u = upload(c, module, ready(c), null, 0.0005); // one byte in 2,000
      assertEquals("LOAD_OK sha256=" + sha, u.answer());
      assertTrue(u.naks() > 0, "some frames were damaged and answered LOAD_NAK");
      assertTrue(u.bytesSent() < 1.5 * module.length, "frames were sent again, not the module: " + u.bytesSent());
      assertEquals(module.length, c.status().modules().get(0).wasmBytes());
    }
  }

  @Test
  void v2AModuleThatIsNotTheOneAnnouncedIsRefused() throws Exception {
    byte[] module = module("math_ops");
    String wrong = Load2Receiver.sha256Hex(new byte[] {1});
    try (Session s = v2Session(Map.of())) {
      WireClient c = s.wire;
      c.send(loadLine("m", module, wrong));
      assertEquals("LOAD_ERR code=BAD_SHA256 msg=\"expected=" + wrong + " got=" + Load2Receiver.sha256Hex(module) + "\"",
          upload(c, module, ready(c)));
      assertTrue(c.status().modules().isEmpty());
      c.send("LOAD module_id=m size=10 crc32=00000000 sha256=xyz chunk=1024");
      assertEquals("LOAD_ERR code=BAD_PARAMS msg=\"sha256\"", c.nextLine());
      c.send("LOAD module_id=m size=10 crc32=00000000 sha256=" + wrong + " chunk=8");
      assertEquals("LOAD_ERR code=BAD_PARAMS msg=\"chunk\"", c.nextLine());
    }
  }

  @Test
  void v2AnUploadLeftIdleResumesWhereItStopped() throws Exception {
    byte[] module = largeModule(8 * 1024);
    String sha = Load2Receiver.sha256Hex(module);
    try (Session s = v2Session(Map.of("load-timeout", "1s"))) {
      WireClient c = s.wire;
      long free = c.status().pool().free();
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
      assertTrue(c.status().pool().free() <= free - module.length,
          "the kept bytes hold their payload buffer in the pool");
      c.send(loadLine("f", module, sha));
      WireParams ready = ready(c);
      assertEquals("2048", ready.get("offset").orElseThrow());
      assertEquals("LOAD_OK sha256=" + sha + " resumed_at=2048", upload(c, module, ready));
    }
  }

  @Test
  void v2AFrameOutsideAnUploadIsNoCommand() throws Exception {
    try (Session s = v2Session(Map.of())) {
      byte[] frame = new Load2Sender("STATUS\n".getBytes(), 64, 1, 0, null).next().get(0);
      s.wire.sendBytes(frame);
      s.wire.send("STATUS");
      assertTrue(s.wire.nextLine().startsWith("STATUS_OK"), "no answer to the frame, and nothing run from it");
    }
  }

  @Test
  void v2ABoardThatRequiresSignaturesTakesOnlyModulesSignedWithItsKey() throws Exception {
    for (ModuleSignature.Alg alg : ModuleSignature.Alg.values()) {
      byte[] module = module("math_ops");
      String sha = Load2Receiver.sha256Hex(module);
      Path dir = Files.createTempDirectory("board-key");
      KeyPair pair = ModuleSignature.generate(alg);
      ModuleSignature.writePem(dir.resolve("board.pub"), pair.getPublic());
      String id = ModuleSignature.keyId(pair.getPublic());
      int code = alg.code;
      try (Session s = v2Session(Map.of("signing-key", dir.resolve("board.pub").toString(),
          "require-signature", "on"))) {
        WireClient c = s.wire;
        String unsigned = "LOAD_ERR code=UNSIGNED msg=\"signature required (key " + id + ")\"";
        assertEquals(unsigned, c.load("m", module).format(), alg + ": v1");
        c.send(loadLine("m", module, sha));
        assertEquals(unsigned, c.nextLine(), alg + ": v2 without sig=");

        c.send(loadLine("m", module, sha) + " sig=" + alg.wire);
        assertEquals("LOAD_OK sha256=" + sha, upload(c, module, ready(c),
            Load2Frame.signature(code, ModuleSignature.sign(pair.getPrivate(), module)), 0).answer(), alg.wire);

        var other = ModuleSignature.generate(alg).getPrivate();
        c.send(loadLine("m", module, sha) + " sig=" + alg.wire + " replace=1");
        assertEquals("LOAD_ERR code=BAD_SIGNATURE msg=\"" + alg.wire + " signature does not verify with key " + id + "\"",
            upload(c, module, ready(c), Load2Frame.signature(code, ModuleSignature.sign(other, module)), 0).answer());
      }
    }
  }
}
