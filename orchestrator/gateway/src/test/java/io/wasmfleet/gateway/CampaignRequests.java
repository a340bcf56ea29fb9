package io.wasmfleet.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.protocol.Crc32;
import io.wasmfleet.wasm.BuiltModules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/** A {@code campaign run} request as bin/host sends it: both benches' wasm and their C for the host baseline. */
final class CampaignRequests {

  private CampaignRequests() {}

  /** The request line; its bytes go into {@code blob}. */
  static ObjectNode run(String select, String modes, int iterations, int repeats, ByteArrayOutputStream blob)
      throws IOException {
    ObjectNode r = HostApiClient.request("campaign", null);
    r.put("v", 2);
    r.put("op", "run");
    r.put("select", select);
    r.put("bench", "fft,toggle");
    r.put("modes", modes);
    r.put("iterations", iterations);
    r.put("repeats", repeats);
    r.put("name", "test");
    ArrayNode modules = r.putArray("modules");
    add(modules, blob, "fft", "wasm", BuiltModules.wasmBytes("fft_bench"));
    add(modules, blob, "toggle", "wasm", BuiltModules.wasmBytes("toggle_forever"));
    String fft = Files.readString(BuiltModules.source("fft_bench.c")).replace("#include \"fft_twiddles.h\"",
        Files.readString(BuiltModules.directory().resolve("gen/fft_twiddles.h")));
    add(modules, blob, "fft", "c", fft.getBytes(StandardCharsets.UTF_8));
    add(modules, blob, "toggle", "c",
        Files.readAllBytes(BuiltModules.repositoryRoot().resolve("benchmarks/native/toggle_native.c")));
    return r;
  }

  private static void add(ArrayNode modules, ByteArrayOutputStream blob, String bench, String kind, byte[] bytes) {
    ObjectNode m = modules.addObject();
    m.put("bench", bench);
    m.put("kind", kind);
    m.put("size", bytes.length);
    m.put("crc32", Crc32.hex(Crc32.of(bytes)));
    blob.writeBytes(bytes);
  }
}
