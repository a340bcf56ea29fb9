package io.wasmfleet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.hostapi.HostApiClient.Response;
import io.wasmfleet.sim.BoardFarm;
import io.wasmfleet.sim.BoardSpec;
import io.wasmfleet.sim.PtyPair;
import io.wasmfleet.wasm.BuiltModules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The serial path (a socat pty through jSerialComm) and AOT builds (with a wamrc test double). */
class GatewayOverSerialAndAotTest {

  @Test
  void aBoardOnASerialPortServesTheHostApi() throws Exception {
    try (PtyPair pty = new PtyPair();
        BoardFarm farm = BoardFarm.start(ConfigFactory.load(), List.of(BoardSpec.parse("f4=nucleo_f446re:serial:" + pty.a)));
        GatewayNode node = GatewayNode.start(ConfigFactory.parseMap(Map.of(
            "wasmfleet.gateway.api.port", 0,
            "wasmfleet.gateway.boards.nucleo_f446.endpoint", pty.b,
            "wasmfleet.gateway.boards.nucleo_f446.type", "nucleo_f446re")))) {
      HostApiClient client = new HostApiClient("127.0.0.1", node.apiPort(), Duration.ofSeconds(30));
      Response status = client.status("nucleo_f446");
      assertTrue(status.ok(), status.json().toString());
      assertTrue(status.detail().startsWith("STATUS_OK"));
      Response load = client.load("nucleo_f446", "math_ops", BuiltModules.wasmBytes("math_ops"), null, false, null);
      assertEquals("LOAD_OK", load.detail());
      Response add = client.start("nucleo_f446", "math_ops", "add", "a=10,b=15", true, 10);
      assertTrue(add.detail().startsWith("RESULT status=OK module_id=math_ops func=add ret_i32=25"), add.detail());
    }
  }

  @Test
  void buildAndLoadAsAotForTheBoardsCpu() throws Exception {
    // Maven does not keep the executable bit of test resources: copy the test double and set it.
    Path testDouble = Files.createTempDirectory("wamrc").resolve("wamrc-test-double");
    try (var in = GatewayOverSerialAndAotTest.class.getResourceAsStream("/wamrc-test-double")) {
      Files.copy(in, testDouble);
    }
    assertTrue(testDouble.toFile().setExecutable(true));
    try (GatewayFixture gw = GatewayFixture.start(
        // extensions off: the boards do not say sim=1, so the gateway treats them as real boards
        List.of(new GatewayFixture.Board("f4", "nucleo_f446re", Map.of("extensions", "off"), Map.of()),
            new GatewayFixture.Board("f7", "nucleo_f746zg", Map.of("extensions", "off"), Map.of())),
        Map.of("wasmfleet.gateway.build.wamrc", testDouble.toString()))) {
      byte[] source = Files.readAllBytes(BuiltModules.source("math_ops.c"));
      for (String board : List.of("f4", "f7")) {
        Response r = gw.client.buildAndLoad(board, "m", source, "math_ops.c", "aot", false, null);
        assertEquals("LOAD_OK", r.detail(), r.json().toString());
        String cpu = board.equals("f4") ? "cortex-m4" : "cortex-m7";
        assertTrue(r.json().get("aot_path").asText().endsWith("math_ops-" + cpu + ".aot"), r.json().toString());
        assertTrue(gw.client.status(board).detail().contains("m:LOADED"));
      }
    }
  }
}
