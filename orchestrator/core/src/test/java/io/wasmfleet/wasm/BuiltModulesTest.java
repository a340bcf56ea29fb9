package io.wasmfleet.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** bin/test builds wasm/ before Maven runs; every module the product uses is there and valid. */
class BuiltModulesTest {

  @Test
  void everyModuleIsBuiltAsWasm() {
    for (String name : new String[] {"math_ops", "toggle_forever", "uart_hello", "fft_bench", "toggle"}) {
      byte[] bytes = BuiltModules.wasmBytes(name);
      assertEquals(PayloadKind.WASM, PayloadKind.of(bytes), name);
      assertTrue(bytes.length > 8, name);
    }
  }

  @Test
  void sourcesAreFoundInTheCheckout() {
    assertTrue(BuiltModules.source("math_ops.c").toFile().isFile());
  }
}
