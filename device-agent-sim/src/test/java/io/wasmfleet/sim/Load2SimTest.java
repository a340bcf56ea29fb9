package io.wasmfleet.sim;

import static io.wasmfleet.sim.Load2ConformanceSuite.loadLine;
import static io.wasmfleet.sim.Load2ConformanceSuite.ready;
import static io.wasmfleet.sim.Load2ConformanceSuite.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.protocol.DeviceLine.Hello;
import io.wasmfleet.protocol.load2.Load2Receiver;
import io.wasmfleet.wasm.BuiltModules;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * LOAD v2 on the simulator beyond the conformance suite (which runs against it and agent-host):
 * the simulator's own payload faults, and a board in 1.0.0 mode, which takes v2's keys as v1.
 */
class Load2SimTest {

  @Test
  void damagedBytesCostFramesNotTheUpload() throws Exception {
    byte[] module = BuiltModules.wasmBytes("fft_bench");
    String sha = Load2Receiver.sha256Hex(module);
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of("load2", "on")); WireClient c = b.connect()) {
      assertEquals("load2", c.next(Hello.class).extra().get("caps").orElse(null));
      c.fault("corrupt_rate=0.001 seed=7");
      for (int i = 0; i < 5; i++) { // the same module id each time: the board replaces it
        c.send(loadLine("f", module, sha));
        assertEquals("LOAD_OK sha256=" + sha, upload(c, module, ready(c)), "upload " + i);
      }
      assertEquals(module.length, c.status().modules().get(0).wasmBytes());
      // the same damage makes v1 fail: its one CRC comes after the whole payload
      assertTrue(c.load("f", module).format().startsWith("LOAD_ERR code=BAD_CRC"));
    }
  }

  /**
   * A reboot in the middle of a frame: what is left of it still arrives, and must run as nothing.
   * The module holds bytes that go on the wire as {@code \rSTATUS\r} (COBS XORs every byte with
   * 0x0A), so a board that read the rest of the frame as lines would answer a STATUS of its own.
   */
  @Test
  void aRebootMidFrameRunsNothingOfWhatIsLeft() throws Exception {
    byte[] module = java.util.Arrays.copyOf(BuiltModules.wasmBytes("math_ops"), 600);
    byte[] trap = "\rSTATUS\r".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    for (int i = 0; i < trap.length; i++) {
      module[400 + i] = (byte) (trap[i] ^ '\n');
    }
    byte[] frame = io.wasmfleet.protocol.load2.Load2Frame.data(module, 0, module.length);
    assertTrue(new String(frame, java.nio.charset.StandardCharsets.ISO_8859_1).contains("\rSTATUS\r"));
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of("load2", "on")); WireClient c = b.connect()) {
      c.next(Hello.class);
      c.fault("reboot_at_payload_byte=100");
      c.send(loadLine("m", module, Load2Receiver.sha256Hex(module)));
      ready(c);
      c.sendBytes(frame);
      c.next(Hello.class); // rebooted at the frame's 100th byte; the other bytes were on their way
      c.send("STOP module_id=none"); // the board answers in order: its first line after HELLO is this one's
      assertEquals("STOP_OK status=IDLE", c.nextLine(), "nothing of the frame's rest was run");
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
}
