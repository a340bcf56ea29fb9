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

  @Test
  void aBoardWithoutLoad2TakesTheKeysAsV1() throws Exception {
    byte[] module = BuiltModules.wasmBytes("math_ops");
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of()); WireClient c = b.connect()) {
      assertFalse(c.next(Hello.class).extra().get("caps").isPresent());
      assertEquals("LOAD_OK", c.load("m", module, "sha256=" + Load2Receiver.sha256Hex(module) + " chunk=1024").format());
    }
  }
}
