package io.wasmfleet.benchmarks.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import io.wasmfleet.report.Stats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A stored campaign (as {@code campaign show} answers it) turned into the seed's rows: per cell
 * the median of its repeats with a 95% interval, and the slowdown against its baseline with a
 * bootstrap interval. A simulated board's baseline is the host's native C (both host time); a
 * real board's is the seed's published Zephyr native C for its board type.
 */
public final class CampaignTables {

  /** The baseline a row is divided by: measured runs, or one published figure. */
  public record Baseline(String label, double[] perIteration, Double published) {}

  /**
   * One cell. {@code perIteration}: the time per iteration of every repeat, in {@code unit}
   * (us per FFT or per toggle; cycles per FFT when the board reports cycles).
   */
  public record Row(String board, String bench, String mode, String state, String error, String boardType,
      String cpu, String rtos, boolean simulated, String clockMhz, String fpu, String node, String runtime, String unit,
      double[] perIteration, Double median, Stats.Interval interval, Baseline baseline, Double slowdown,
      Stats.Interval slowdownInterval, Long checksum, String checksumVerdict, Map<String, Long> memory) {

    public boolean host() {
      return board.equals("host");
    }

    public boolean measured() {
      return perIteration.length > 0;
    }

    /** Toggle rows: the pin's frequency (two toggles a period), from the median time per toggle. */
    public Double frequencyHz() {
      return median == null || !bench.equals("toggle") || unit.startsWith("cycles") ? null : 1e6 / median / 2;
    }

    public String environment() {
      if (host()) {
        return "host (" + cpu + ")";
      }
      StringBuilder b = new StringBuilder(simulated ? "simulated " + boardType
          : (rtos == null ? "" : rtos + ", ") + boardType);
      if (clockMhz != null) {
        b.append(", ").append(clockMhz).append(" MHz");
      }
      if (fpu != null) {
        b.append(", FPU ").append(fpu);
      }
      return b.toString();
    }
  }

  private final JsonNode campaign;
  private final List<Row> rows;

  private CampaignTables(JsonNode campaign, List<Row> rows) {
    this.campaign = campaign;
    this.rows = rows;
  }

  public JsonNode campaign() {
    return campaign;
  }

  public List<Row> rows() {
    return rows;
  }

  public String id() {
    return campaign.path("id").asText();
  }

  public static CampaignTables of(JsonNode campaign, SeedReference seed) {
    Map<String, double[]> hostTimes = new HashMap<>();
    Map<String, Long> hostChecksums = new HashMap<>();
    Map<String, JsonNode> boardNative = new HashMap<>(); // board|bench -> the board's own native C cell
    for (JsonNode cell : campaign.path("cells")) {
      if (!cell.path("board").asText().equals("host") && cell.path("mode").asText().equals("native")
          && cell.path("runs").size() > 0) {
        boardNative.put(cell.path("board").asText() + "|" + cell.path("bench").asText(), cell);
      }
    }
    for (JsonNode cell : campaign.path("cells")) {
      if (cell.path("board").asText().equals("host")) {
        hostTimes.put(cell.path("bench").asText(), perIteration(cell, false));
        if (cell.has("checksum")) {
          hostChecksums.put(cell.path("bench").asText(), cell.path("checksum").asLong());
        }
      }
    }
    List<Row> rows = new ArrayList<>();
    for (JsonNode cell : campaign.path("cells")) {
      String board = cell.path("board").asText();
      String bench = cell.path("bench").asText();
      String mode = cell.path("mode").asText();
      boolean simulated = cell.path("simulated").asBoolean(false);
      boolean host = board.equals("host");
      boolean cycles = !host && !simulated && cell.path("runs").size() > 0
          && cell.path("runs").get(0).has("cycles");
      String clock = text(cell, "clock_mhz");
      String unit;
      double[] values;
      if (cycles) {
        unit = "cycles per " + (bench.equals("fft") ? "FFT" : "toggle");
        values = perIteration(cell, true);
      } else {
        unit = "us per " + (bench.equals("fft") ? "FFT" : "toggle") + (simulated || host ? " (host time)" : "");
        values = perIteration(cell, false);
      }
      Baseline baseline = null;
      if (host) {
        baseline = new Baseline("itself", values, null);
      } else if (simulated) {
        double[] h = hostTimes.get(bench);
        if (h != null && h.length > 0) {
          baseline = new Baseline("host native C (host time)", h, null);
        }
      } else if (boardNative.containsKey(board + "|" + bench)) {
        JsonNode own = boardNative.get(board + "|" + bench);
        baseline = new Baseline(mode.equals("native") ? "itself"
            : "this board's built-in native C", perIteration(own, cycles && own.path("runs").get(0).has("cycles")), null);
      } else {
        String type = text(cell, "board_type");
        Optional<SeedReference.Row> ref = seed.find(bench, type, "Zephyr", "Native C");
        if (ref.isPresent()) {
          double published = publishedPerIteration(ref.get(), cycles, clock);
          if (!Double.isNaN(published)) {
            baseline = new Baseline("Zephyr native C on " + type + " (published, seed)", null, published);
          }
        }
      }
      Double median = values.length == 0 ? null : Stats.median(values);
      Stats.Interval interval = values.length == 0 ? null : Stats.medianInterval(values);
      Double slowdown = null;
      Stats.Interval slowdownInterval = null;
      if (median != null && baseline != null) {
        if (baseline.perIteration() != null) {
          slowdown = median / Stats.median(baseline.perIteration());
          slowdownInterval = host || mode.equals("native") ? null : Stats.ratioInterval(values, baseline.perIteration());
        } else {
          slowdown = median / baseline.published();
          slowdownInterval = new Stats.Interval(interval.low() / baseline.published(),
              interval.high() / baseline.published(), interval.coverage());
        }
      }
      Long checksum = cell.has("checksum") && bench.equals("fft") ? cell.path("checksum").asLong() : null;
      String verdict = null;
      if (checksum != null) {
        JsonNode own = boardNative.get(board + "|fft");
        Long expected = own != null && own.has("checksum") ? Long.valueOf(own.path("checksum").asLong())
            : hostChecksums.get("fft");
        verdict = expected == null ? "unchecked (no native C row)" : expected.equals(checksum) ? "ok" : "WRONG";
      }
      Map<String, Long> memory = new LinkedHashMap<>();
      for (String k : List.of("artifact_bytes", "mem_total", "mem_before", "mem_loaded", "mem_running",
          "mem_highmark", "mem_after")) {
        if (cell.has(k)) {
          memory.put(k, cell.path(k).asLong());
        }
      }
      rows.add(new Row(board, bench, mode, cell.path("state").asText(), text(cell, "error"), text(cell, "board_type"),
          text(cell, "cpu"), text(cell, "rtos"), simulated, clock, text(cell, "fpu"), text(cell, "node"),
          Optional.ofNullable(text(cell, "runtime")).orElse(mode), unit, values, median, interval, baseline, slowdown,
          slowdownInterval, checksum, verdict, memory));
    }
    return new CampaignTables(campaign, rows);
  }

  /** Time (or cycles) per iteration of every stored repeat. */
  static double[] perIteration(JsonNode cell, boolean cycles) {
    JsonNode runs = cell.path("runs");
    double[] out = new double[runs.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode r = runs.get(i);
      double n = r.has("toggles") ? r.path("toggles").asDouble() : r.path("count").asDouble();
      out[i] = (cycles ? r.path("cycles").asDouble() : r.path("elapsed_us").asDouble()) / Math.max(1, n);
    }
    return out;
  }

  /** The seed's figure in our unit: cycles per FFT, or us per FFT / per toggle (via the clock). */
  private static double publishedPerIteration(SeedReference.Row ref, boolean cycles, String clockMhz) {
    if (ref.bench().equals("fft")) {
      return cycles ? ref.figure() : ref.figure() / ref.clockMhz();
    }
    double usPerToggle = 1e6 / (2 * ref.figure());
    return cycles ? usPerToggle * ref.clockMhz() : usPerToggle;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
