package io.wasmfleet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Campaigns through the host API of a real node: a simulated board measured end to end, a board
 * with firmware 1.0.0's lines (no timing) failed with the reason while the other goes on, and
 * bad requests answered with what is wrong.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignApiTest {

  private GatewayFixture gw;
  private Path db;

  @BeforeAll
  void start() throws Exception {
    db = Files.createTempDirectory("campaign-api-test").resolve("campaigns.db");
    Map<String, Object> settings = new HashMap<>();
    settings.put("wasmfleet.gateway.campaigns.store.url", "jdbc:sqlite:" + db);
    settings.put("wasmfleet.gateway.campaigns.work-dir", db.getParent().resolve("work").toString());
    gw = GatewayFixture.start(List.of(GatewayFixture.Board.of("good", "nucleo_f446re"),
        new GatewayFixture.Board("old", "nucleo_f746zg", Map.of("extensions", false), Map.of())), settings);
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  private HostApiClient.Response campaign(String op, Map<String, Object> fields) throws Exception {
    ObjectNode r = HostApiClient.request("campaign", null);
    r.put("v", 2);
    r.put("op", op);
    fields.forEach((k, v) -> r.set(k, new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(v)));
    return gw.client.send(r, null);
  }

  @Test
  void aCampaignMeasuresEveryCellAndFailsTheBoardThatCannotBeTimed() throws Exception {
    ByteArrayOutputStream blob = new ByteArrayOutputStream();
    ObjectNode run = CampaignRequests.run("all", "interp,aot", 3, 3, blob);
    List<JsonNode> events = new ArrayList<>();
    HostApiClient.Response end = gw.client.sendStreaming(run, blob.toByteArray(), HostApiClient.Progress.NONE,
        events::add);
    assertTrue(end.ok(), end.json().toString());
    String id = end.json().get("campaign").asText();
    // host x 2 benches, 2 boards x 2 benches x 2 modes; "old" speaks firmware 1.0.0's lines: no timing
    assertEquals(10, end.json().get("cells").asInt());
    assertEquals(4, end.json().get("failed").asInt(), end.json().toString());
    assertEquals(6 * 3, end.json().get("runs").asInt());
    for (JsonNode f : end.json().get("failures")) {
      assertEquals("old", f.get("board").asText(), f.toString());
      String error = f.get("error").asText();
      assertTrue(f.get("mode").asText().equals("aot") ? error.startsWith("AOT for cortex-m7")
          : error.contains("reports no timing on RESULT"), error);
    }
    assertEquals(18, events.stream().filter(e -> e.get("event").asText().equals("run")).count(), "a line per run");
    assertEquals(10, events.stream().filter(e -> e.get("event").asText().equals("cell")).count(), "a line per cell");

    JsonNode c = campaign("show", Map.of("id", id)).json().get("campaign");
    assertEquals("DONE", c.get("state").asText());
    Long hostChecksum = null;
    for (JsonNode cell : c.get("cells")) {
      if (cell.get("board").asText().equals("host") && cell.get("bench").asText().equals("fft")) {
        hostChecksum = cell.get("checksum").asLong();
      }
    }
    for (JsonNode cell : c.get("cells")) {
      if (!cell.get("board").asText().equals("good")) {
        continue;
      }
      assertEquals("DONE", cell.get("state").asText(), cell.toString());
      assertTrue(cell.get("simulated").asBoolean());
      assertEquals(3, cell.get("runs").size());
      cell.get("runs").forEach(r -> assertTrue(r.get("elapsed_us").asDouble() > 0, r.toString()));
      long before = cell.get("mem_before").asLong();
      assertTrue(cell.get("mem_loaded").asLong() > before, "the module takes pool memory: " + cell);
      assertEquals(before, cell.get("mem_after").asLong(), "the pool returns to where it was: " + cell);
      if (cell.get("bench").asText().equals("fft")) {
        assertEquals(hostChecksum, cell.get("checksum").asLong(), "the board's FFT equals native C's");
      } else {
        cell.get("runs").forEach(r -> assertEquals(30_000, r.get("toggles").asLong(), r.toString()));
      }
    }
    HostApiClient.Response list = campaign("list", Map.of());
    assertTrue(list.json().get("campaigns").toString().contains(id), list.json().toString());
  }

  @Test
  void badRequestsSayWhatIsWrong() throws Exception {
    assertEquals("unknown campaign 'nope' ('campaign list' shows them)",
        campaign("show", Map.of("id", "nope")).error());
    assertEquals("field 'op' must be run, list, show or watch, got 'jump'", campaign("jump", Map.of()).error());
    assertEquals("field 'bench' takes fft, toggle; got 'fir'",
        campaign("run", Map.of("select", "all", "bench", "fft,fir")).error());
    assertEquals("device 'zz' is not known; known: good, old",
        campaign("run", Map.of("select", "board=zz", "bench", "fft")).error());
    assertTrue(campaign("run", Map.of("select", "all", "bench", "fft")).error().startsWith("missing field 'modules'"));
    ObjectNode bad = HostApiClient.request("campaign", null);
    bad.put("v", 2);
    bad.put("op", "run");
    bad.put("select", "all");
    bad.put("bench", "fft");
    ObjectNode m = bad.putArray("modules").addObject();
    m.put("bench", "fft");
    m.put("kind", "wasm");
    m.put("size", 4);
    m.put("crc32", "00000000");
    HostApiClient.Response crc = gw.client.send(bad, new byte[] {0, 'a', 's', 'm'});
    assertFalse(crc.ok());
    assertTrue(crc.error().startsWith("CRC mismatch expected=00000000"), crc.error());
    assertEquals(0, campaign("list", Map.of()).json().get("campaigns").findValues("state").stream()
        .filter(s -> !s.asText().equals("DONE")).count(), "a refused request stores nothing");
  }
}
