package io.wasmfleet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.hostapi.HostApiClient.Response;
import io.wasmfleet.protocol.load2.Load2Receiver;
import io.wasmfleet.protocol.load2.ModuleSignature;
import io.wasmfleet.wasm.BuiltModules;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gateway's LOAD v2 (docs/wire-protocol.md) with simulated boards that speak it
 * ({@code load2 = on}) beside one that does not: the same deploy works on both, and damaged
 * bytes cost a v2 board frames where they cost a v1 board the upload.
 */
class Load2GatewayTest {

  @Test
  void boardsThatSayLoad2GetItAndOthersKeepV1() throws Exception {
    byte[] fft = BuiltModules.wasmBytes("fft_bench");
    Map<String, Object> damage = Map.of("corrupt-rate", 0.001, "seed", 11);
    try (GatewayFixture gw = GatewayFixture.start(List.of(
            new GatewayFixture.Board("v2", "nucleo_f446re", Map.of("load2", "on"), damage),
            new GatewayFixture.Board("v1", "nucleo_f446re", Map.of(), damage),
            new GatewayFixture.Board("clean", "nucleo_f446re", Map.of(), Map.of())),
        Map.of())) {
      for (int i = 0; i < 5; i++) {
        Response v2 = gw.client.load("v2", "fft", fft, "fft_bench.wasm", false, null);
        assertEquals("LOAD_OK sha256=" + Load2Receiver.sha256Hex(fft), v2.detail(), "upload " + i + ": " + v2.json());
      }
      Response status = gw.client.status("v2");
      assertTrue(status.detail().contains("fft:LOADED:wasm=" + fft.length), status.detail());
      Response run = gw.client.start("v2", "fft", null, "iterations=1", true, 30);
      assertTrue(run.ok(), run.json().toString());

      Response v1 = gw.client.load("v1", "fft", fft, "fft_bench.wasm", false, null);
      assertTrue(v1.json().path("error").asText().startsWith("LOAD_ERR code=BAD_CRC"), v1.json().toString());

      Response clean = gw.client.load("clean", "fft", fft, "fft_bench.wasm", false, null);
      assertEquals("LOAD_OK", clean.detail(), "a v1 board as before");
    }
  }

  @Test
  void anUploadCutByTheLinkResumesWhereTheBoardStopped() throws Exception {
    byte[] fft = BuiltModules.wasmBytes("fft_bench");
    try (GatewayFixture gw = GatewayFixture.start(List.of(new GatewayFixture.Board("v2", "nucleo_f446re",
            Map.of("load2", "on", "load-timeout", "1s"), Map.of("cut-after-bytes", 3000))),
        Map.of())) {
      Response cut = gw.client.load("v2", "fft", fft, "fft_bench.wasm", false, null);
      assertTrue(cut.json().path("error").asText().contains("lost"), cut.json().toString());
      Response again = gw.client.load("v2", "fft", fft, "fft_bench.wasm", false, null);
      assertTrue(again.ok(), again.json().toString());
      var resumed = java.util.regex.Pattern.compile("resumed_at=(\\d+)").matcher(again.detail());
      assertTrue(resumed.find(), "the second upload continued what the first left: " + again.detail());
      int at = Integer.parseInt(resumed.group(1));
      assertTrue(at > 1024 && at < fft.length, "resumed at " + at + " of " + fft.length);
      assertTrue(again.detail().contains("sha256=" + Load2Receiver.sha256Hex(fft)), again.detail());
      assertTrue(gw.client.status("v2").detail().contains("fft:LOADED:wasm=" + fft.length));
    }
  }

  @Test
  void aGatewayWithASigningKeySignsWhatItLoads() throws Exception {
    byte[] math = BuiltModules.wasmBytes("math_ops");
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("gateway-key");
    var pair = ModuleSignature.generate(ModuleSignature.Alg.ED25519);
    ModuleSignature.writePem(dir.resolve("gw.key"), pair.getPrivate());
    ModuleSignature.writePem(dir.resolve("gw.pub"), pair.getPublic());
    Map<String, Object> verifying = Map.of("load2", "on", "signing-key", dir.resolve("gw.pub").toString(),
        "require-signature", "on");
    try (GatewayFixture signing = GatewayFixture.start(List.of(
            new GatewayFixture.Board("strict", "nucleo_f446re", verifying, Map.of())),
        Map.of("wasmfleet.gateway.signing-key", dir.resolve("gw.key").toString()))) {
      Response r = signing.client.load("strict", "m", math, "math_ops.wasm", false, null);
      assertEquals("LOAD_OK sha256=" + Load2Receiver.sha256Hex(math), r.detail(), r.json().toString());
    }
    try (GatewayFixture unsigned = GatewayFixture.start(List.of(
            new GatewayFixture.Board("strict", "nucleo_f446re", verifying, Map.of())),
        Map.of())) {
      Response r = unsigned.client.load("strict", "m", math, "math_ops.wasm", false, null);
      assertEquals("LOAD_ERR code=UNSIGNED msg=\"signature required (key " + ModuleSignature.keyId(pair.getPublic())
          + ")\"", r.json().path("error").asText());
    }
  }
}
