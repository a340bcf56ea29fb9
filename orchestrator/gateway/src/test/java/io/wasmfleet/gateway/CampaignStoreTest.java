package io.wasmfleet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.gateway.campaign.CampaignSpec;
import io.wasmfleet.gateway.campaign.CampaignStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The campaign store on a real SQLite file, opened by two "nodes" at once. */
class CampaignStoreTest {

  private static final CampaignStore.Cell CELL = new CampaignStore.Cell("b1", "fft", "interp");

  @Test
  void aRunIsStoredOnceWhoeverStoresIt() throws Exception {
    Path db = Files.createTempDirectory("campaign-store").resolve("sub/campaigns.db");
    CampaignStore gw1 = new CampaignStore("jdbc:sqlite:" + db, "", "");
    CampaignStore gw2 = new CampaignStore("jdbc:sqlite:" + db, "", "");
    assertTrue(gw1.unfinished().isEmpty());
    assertFalse(Files.exists(db), "reading an absent store does not create it");

    gw1.create("c1", "t", new CampaignSpec("all", List.of("fft"), List.of("interp"), 10, 3, 60, 1),
        List.of(new CampaignStore.Module("fft", "wasm", "fft_bench.wasm", new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0})),
        List.of(CELL));
    assertEquals(List.of("c1"), gw2.unfinished(), "another node sees the queued campaign");
    assertFalse(gw2.claim("c1", "gw2"), "a first claim is a start");
    assertTrue(gw1.claim("c1", "gw1"), "claiming a RUNNING campaign is a resume");

    CampaignStore.Run run = new CampaignStore.Run(1, 10, 1234.5, null, null);
    assertTrue(gw2.storeRun("c1", CELL, run, "gw2"));
    assertFalse(gw1.storeRun("c1", CELL, new CampaignStore.Run(1, 10, 999, null, null), "gw1"),
        "the same repeat again changes nothing");
    assertTrue(gw1.storeRun("c1", CELL, new CampaignStore.Run(2, 10, 1240, 5000L, null), "gw1"));
    assertEquals(Set.of(1, 2), gw2.storedRepeats("c1", CELL));

    gw1.endCell("c1", CELL, CampaignStore.DONE, null);
    gw1.finish("c1", CampaignStore.DONE, null);
    var c = gw2.load("c1").orElseThrow();
    assertEquals(1, c.get("resumes").asInt());
    assertEquals("gw1", c.get("node").asText());
    var runs = c.get("cells").get(0).get("runs");
    assertEquals(1234.5, runs.get(0).get("elapsed_us").asDouble(), "the first store wins");
    assertEquals("gw2", runs.get(0).get("node").asText());
    assertEquals(5000, runs.get(1).get("cycles").asLong());
    assertEquals(8, c.get("modules").get(0).get("bytes").asInt());
    assertTrue(gw2.unfinished().isEmpty());
    assertEquals(1, gw1.list().size());
  }
}
