package io.wasmfleet.benchmarks.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.report.Stats;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparison's arithmetic: ratios, intervals and the verdicts they lead to. */
class CampaignCompareTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A stored campaign with one real board cell whose repeats took {@code elapsedUs} for 10 FFTs each. */
  private static JsonNode campaign(String id, String boardType, double... elapsedUs) {
    ObjectNode c = JSON.createObjectNode();
    c.put("id", id);
    ObjectNode cell = c.putArray("cells").addObject();
    cell.put("board", "b1");
    cell.put("bench", "fft");
    cell.put("mode", "interp");
    cell.put("state", "DONE");
    cell.put("board_type", boardType);
    cell.put("simulated", false);
    ArrayNode runs = cell.putArray("runs");
    for (int i = 0; i < elapsedUs.length; i++) {
      runs.addObject().put("repeat_no", i + 1).put("count", 10).put("elapsed_us", elapsedUs[i]);
    }
    return c;
  }

  @Test
  void aBoardWithBuiltInNativeCIsItsOwnBaseline() {
    SeedReference seed = SeedReference.load();
    JsonNode c = campaign("a", "nucleo_f746zg", 62000, 61000, 63000);
    ObjectNode nativeCell = ((ArrayNode) c.get("cells")).addObject();
    nativeCell.put("board", "b1");
    nativeCell.put("bench", "fft");
    nativeCell.put("mode", "native");
    nativeCell.put("state", "DONE");
    nativeCell.put("board_type", "nucleo_f746zg");
    nativeCell.put("rtos", "Zephyr");
    nativeCell.put("clock_mhz", "216");
    ArrayNode runs = nativeCell.putArray("runs");
    for (double us : new double[] {1000, 1010, 990}) {
      runs.addObject().put("repeat_no", runs.size() + 1).put("count", 10).put("elapsed_us", us);
    }
    CampaignTables t = CampaignTables.of(c, seed);
    CampaignTables.Row interp = t.rows().get(0);
    assertEquals("this board's built-in native C", interp.baseline().label());
    assertEquals(62.0, interp.slowdown(), 1e-9, "6,200 us / 100 us per FFT, not the seed's published figure");
    assertEquals("Zephyr, nucleo_f746zg, 216 MHz", t.rows().get(1).environment());
    assertEquals(1.0, t.rows().get(1).slowdown(), 1e-9);
  }

  @Test
  void twiceAsSlowIsSaidWithItsInterval() {
    SeedReference seed = SeedReference.load();
    CampaignTables a = CampaignTables.of(campaign("a", "nucleo_f446re", 100, 101, 99, 100, 102, 98, 100), seed);
    CampaignTables b = CampaignTables.of(campaign("b", "nucleo_f446re", 200, 202, 198, 201, 199, 200, 203), seed);
    List<CampaignCompare.Line> lines = CampaignCompare.between(a, b);
    assertEquals(1, lines.size());
    CampaignCompare.Line l = lines.get(0);
    assertEquals(2.0, l.ratio(), 1e-9);
    assertTrue(l.interval().low() > 1.9 && l.interval().high() < 2.1, l.interval().toString());
    assertTrue(l.verdict().matches("B is 1\\.9\\dx to 2\\.\\d\\dx slower than A"), l.verdict());
    List<CampaignCompare.Line> back = CampaignCompare.between(b, a);
    assertTrue(back.get(0).verdict().matches("B is 1\\.9\\dx to 2\\.\\d\\dx faster than A"), back.get(0).verdict());
  }

  @Test
  void overlappingRunsAreNoDifference() {
    SeedReference seed = SeedReference.load();
    CampaignTables a = CampaignTables.of(campaign("a", "nucleo_f446re", 100, 104, 97, 101, 99, 103, 98), seed);
    CampaignTables b = CampaignTables.of(campaign("b", "nucleo_f446re", 101, 98, 103, 99, 102, 100, 97), seed);
    CampaignCompare.Line l = CampaignCompare.between(a, b).get(0);
    assertTrue(l.interval().covers(1.0), l.interval().toString());
    assertEquals("no difference", l.verdict());
    assertEquals("no difference", CampaignCompare.verdict(new Stats.Interval(0.98, 1.02, 0.95), "B", "A"));
  }

  @Test
  void aRealBoardIsSetAgainstTheSeedsPublishedNativeC() {
    SeedReference seed = SeedReference.load();
    // 75,376 us per FFT on an F446 at 180 MHz = 13,567,746 cycles: the seed's WAMR interpreter row
    CampaignTables t = CampaignTables.of(campaign("a", "nucleo_f446re", 753763, 753763, 753763), seed);
    CampaignTables.Row row = t.rows().get(0);
    assertEquals(75376.3, row.median(), 1e-6);
    assertEquals("Zephyr native C on nucleo_f446re (published, seed)", row.baseline().label());
    assertEquals(13567746.0 / 228196.0, row.slowdown(), 0.01, "slowdown vs the seed's Zephyr native C");
    CampaignCompare.Line l = CampaignCompare.withSeed(t, seed).get(0);
    assertEquals(row.slowdown() / 61.95, l.ratio(), 1e-9);
    assertTrue(l.verdict().equals("no difference") || l.ratio() > 0.9 && l.ratio() < 1.1, l.verdict());
  }
}
