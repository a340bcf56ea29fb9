package io.wasmfleet.benchmarks.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.benchmarks.SlowdownChart;
import io.wasmfleet.benchmarks.campaign.CampaignTables.Row;
import io.wasmfleet.report.Stats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A campaign's tables as the seed prints them, per board: FFT (Environment | Runtime / Mode |
 * Average cycles per FFT | Slowdown vs native C), toggle (frequency), memory footprint; plus
 * CSV, JSON and PNG plots. Simulated boards say so in every row.
 */
public final class CampaignReport {

  private final CampaignTables t;

  public CampaignReport(CampaignTables tables) {
    this.t = tables;
  }

  // ---- markdown -------------------------------------------------------------------------------

  public String markdown() {
    JsonNode c = t.campaign();
    JsonNode spec = c.path("spec");
    StringBuilder md = new StringBuilder();
    md.append("# Campaign ").append(t.id()).append(" \"").append(c.path("name").asText()).append("\"\n\n");
    md.append(String.format(Locale.ROOT, "%s; %s x %s; %d iterations x %d repeats (after one warm-up run) per cell;"
            + " select %s; created %s; run by %s%s.%n%n",
        c.path("state").asText(), join(spec.path("benches")), join(spec.path("modes")), spec.path("iterations").asInt(),
        spec.path("repeats").asInt(), spec.path("select").asText(), Instant.ofEpochMilli(c.path("created_ms").asLong()),
        c.path("node").asText("-"), c.path("resumes").asInt() > 0
            ? " (resumed " + c.path("resumes").asInt() + "x after its node left)" : ""));
    md.append("Modules: ");
    List<String> mods = new ArrayList<>();
    for (JsonNode m : c.path("modules")) {
      mods.add(m.path("name").asText() + " (" + m.path("kind").asText() + ", " + m.path("bytes").asLong()
          + " B, sha256 " + m.path("sha256").asText().substring(0, 12) + ")");
    }
    md.append(String.join("; ", mods)).append(".\n\n");
    if (t.rows().stream().anyMatch(Row::simulated)) {
      md.append("Rows marked *simulated* come from simulated boards: their figures are host time (the wasm"
          + " runs in Chicory on the gateway's machine), never MCU cycles; their baseline is the host's native C,"
          + " measured in the same campaign.\n\n");
    }
    md.append("Figures: median of the repeats, 95% interval of the median (order statistics); slowdown = median /"
        + " baseline median, 95% bootstrap interval.\n\n");
    for (String board : boards()) {
      if (board.equals("host")) {
        continue;
      }
      fftTable(md, board);
      toggleTable(md, board);
    }
    memoryTable(md);
    failures(md);
    return md.toString();
  }

  private Set<String> boards() {
    Set<String> out = new LinkedHashSet<>();
    t.rows().forEach(r -> out.add(r.board()));
    return out;
  }

  private List<Row> rows(String board, String bench) {
    List<Row> out = new ArrayList<>();
    for (Row r : t.rows()) {
      if (r.bench().equals(bench) && (r.board().equals(board) || r.host() && isSimulated(board))) {
        out.add(r);
      }
    }
    // the baseline first: the host's native C, or the board's own
    out.sort(java.util.Comparator.comparingInt(r -> r.host() ? 0 : r.mode().equals("native") ? 1 : 2));
    return out;
  }

  private boolean isSimulated(String board) {
    return t.rows().stream().anyMatch(r -> r.board().equals(board) && r.simulated());
  }

  private String boardTitle(String board) {
    Row any = t.rows().stream().filter(r -> r.board().equals(board)).findFirst().orElseThrow();
    return board + " (" + (any.boardType() == null ? "type unknown" : any.boardType())
        + (any.cpu() == null ? "" : ", " + any.cpu()) + (any.simulated() ? ", simulated" : "") + ")";
  }

  private void fftTable(StringBuilder md, String board) {
    List<Row> rows = rows(board, "fft");
    if (rows.stream().noneMatch(r -> r.board().equals(board))) {
      return;
    }
    Row first = rows.stream().filter(r -> r.board().equals(board)).findFirst().orElseThrow();
    md.append("## FFT (N = 1024) on ").append(boardTitle(board)).append("\n\n");
    String unit = first.unit().startsWith("cycles") ? "Average cycles per FFT" : "Average us per FFT"
        + (first.simulated() ? " (host time, simulated)" : "");
    md.append("| Environment | Runtime / Mode | ").append(unit).append(" | 95% CI | Slowdown vs native C | 95% CI | Checksum |\n");
    md.append("|---|---|---:|---|---:|---|---|\n");
    for (Row r : rows) {
      md.append("| ").append(r.environment()).append(" | ").append(runtimeCell(r)).append(" | ");
      if (!r.measured()) {
        md.append(r.state().equals("FAILED") ? "failed: " + r.error() : "pending").append(" | | | | |\n");
        continue;
      }
      md.append(fig(r.median())).append(" | ").append(interval(r.interval())).append(" | ")
          .append(r.slowdown() == null ? "n/a (no baseline)" : times(r.slowdown())).append(" | ")
          .append(r.slowdownInterval() == null ? "" : intervalTimes(r.slowdownInterval())).append(" | ")
          .append(r.checksumVerdict() == null ? "" : r.checksumVerdict()).append(" |\n");
    }
    baselineNote(md, rows);
  }

  private void toggleTable(StringBuilder md, String board) {
    List<Row> rows = rows(board, "toggle");
    if (rows.stream().noneMatch(r -> r.board().equals(board))) {
      return;
    }
    Row first = rows.stream().filter(r -> r.board().equals(board)).findFirst().orElseThrow();
    md.append("## GPIO toggle on ").append(boardTitle(board)).append("\n\n");
    md.append("| Stack | Runtime / Mode | Measured frequency").append(first.simulated() ? " (host time, simulated)" : "")
        .append(" | 95% CI | Toggles per second | Slowdown vs native C | 95% CI |\n");
    md.append("|---|---|---:|---|---:|---:|---|\n");
    for (Row r : rows) {
      md.append("| ").append(r.environment()).append(" | ").append(runtimeCell(r)).append(" | ");
      if (!r.measured()) {
        md.append(r.state().equals("FAILED") ? "failed: " + r.error() : "pending").append(" | | | | |\n");
        continue;
      }
      Double f = r.frequencyHz();
      String freq = f == null ? fig(r.median()) + " " + r.unit() : hz(f);
      String ci = f == null ? interval(r.interval())
          : "[" + hz(1e6 / r.interval().high() / 2) + ", " + hz(1e6 / r.interval().low() / 2) + "]";
      md.append(freq).append(" | ").append(ci).append(" | ").append(f == null ? "" : fig(2 * f)).append(" | ")
          .append(r.slowdown() == null ? "n/a (no baseline)" : times(r.slowdown())).append(" | ")
          .append(r.slowdownInterval() == null ? "" : intervalTimes(r.slowdownInterval())).append(" |\n");
    }
    md.append("\nFrequency: the pin's square wave, two toggles per period (what the seed's oscilloscope shows).\n");
    baselineNote(md, rows);
  }

  private static void baselineNote(StringBuilder md, List<Row> rows) {
    rows.stream().filter(r -> r.baseline() != null && r.baseline().published() != null).findFirst()
        .ifPresent(r -> md.append("\nBaseline: ").append(r.baseline().label()).append(".\n"));
    md.append('\n');
  }

  private static String runtimeCell(Row r) {
    return r.host() ? r.runtime() + ": baseline for simulated boards"
        : r.mode().equals("native") ? r.runtime() + ": this board's baseline" : r.runtime();
  }

  private void memoryTable(StringBuilder md) {
    List<Row> rows = t.rows().stream().filter(r -> !r.host() && r.memory().containsKey("mem_loaded")).toList();
    if (rows.isEmpty()) {
      return;
    }
    md.append("## Memory footprint (WAMR pool, from STATUS)\n\n");
    md.append("| Board | Bench | Runtime / Mode | Module | Before (used) | Loaded | Running | Highmark | After - before | Pool |\n");
    md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      java.util.Map<String, Long> m = r.memory();
      long before = m.getOrDefault("mem_before", 0L);
      md.append("| ").append(r.board()).append(r.simulated() ? " (simulated)" : "").append(" | ").append(r.bench())
          .append(" | ").append(r.runtime()).append(" | ").append(kib(m.get("artifact_bytes"))).append(" | ")
          .append(kib(m.get("mem_before"))).append(" | +").append(kib(delta(m.get("mem_loaded"), before)))
          .append(" | +").append(kib(delta(m.get("mem_running"), before))).append(" | ")
          .append(kib(m.get("mem_highmark"))).append(" | ").append(kib(delta(m.get("mem_after"), before)))
          .append(" | ").append(kib(m.get("mem_total"))).append(" |\n");
    }
    md.append("\nBefore: the campaign's slot holds an empty module; loaded: the benchmark module instantiated;"
        + " running: after the warm-up run (its exec env allocated); after: the empty module again (firmware"
        + " 1.0.0 has no UNLOAD). Highmark: the pool's, since the board booted.\n\n");
  }

  private void failures(StringBuilder md) {
    List<Row> failed = t.rows().stream().filter(r -> r.state().equals("FAILED")).toList();
    if (failed.isEmpty()) {
      return;
    }
    md.append("## Failed\n\n| Board | Bench | Mode | Reason |\n|---|---|---|---|\n");
    failed.forEach(r -> md.append("| ").append(r.board()).append(" | ").append(r.bench()).append(" | ")
        .append(r.mode()).append(" | ").append(r.error() == null ? "" : r.error().replace("|", "\\|")).append(" |\n"));
    md.append('\n');
  }

  // ---- CSV and JSON ---------------------------------------------------------------------------

  /** One line per cell: the table's figures in plain numbers. */
  public String csv() {
    StringBuilder b = new StringBuilder("campaign,board,board_type,simulated,bench,mode,runtime,state,unit,repeats,"
        + "median,ci_low,ci_high,frequency_hz,baseline,slowdown,slowdown_low,slowdown_high,checksum,checksum_verdict,"
        + "artifact_bytes,mem_before,mem_loaded,mem_running,mem_highmark,mem_after,mem_total,error\n");
    for (Row r : t.rows()) {
      b.append(String.join(",", List.of(t.id(), r.board(), str(r.boardType()), Boolean.toString(r.simulated()),
          r.bench(), r.mode(), quote(r.runtime()), r.state(), quote(r.unit()), Integer.toString(r.perIteration().length),
          num(r.median()), num(r.interval() == null ? null : r.interval().low()),
          num(r.interval() == null ? null : r.interval().high()), num(r.frequencyHz()),
          quote(r.baseline() == null ? "" : r.baseline().label()), num(r.slowdown()),
          num(r.slowdownInterval() == null ? null : r.slowdownInterval().low()),
          num(r.slowdownInterval() == null ? null : r.slowdownInterval().high()),
          r.checksum() == null ? "" : r.checksum().toString(), str(r.checksumVerdict()),
          mem(r, "artifact_bytes"), mem(r, "mem_before"), mem(r, "mem_loaded"), mem(r, "mem_running"),
          mem(r, "mem_highmark"), mem(r, "mem_after"), mem(r, "mem_total"), quote(str(r.error())))));
      b.append('\n');
    }
    return b.toString();
  }

  /** Every stored run. */
  public String runsCsv() {
    StringBuilder b = new StringBuilder("campaign,board,bench,mode,repeat,count,elapsed_us,cycles,toggles,node\n");
    for (JsonNode cell : t.campaign().path("cells")) {
      for (JsonNode run : cell.path("runs")) {
        b.append(String.join(",", t.id(), cell.path("board").asText(), cell.path("bench").asText(),
            cell.path("mode").asText(), run.path("repeat_no").asText(), run.path("count").asText(),
            run.path("elapsed_us").asText(), run.path("cycles").asText(""), run.path("toggles").asText(""),
            run.path("node").asText(""))).append('\n');
      }
    }
    return b.toString();
  }

  public ObjectNode json() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode out = mapper.createObjectNode();
    out.set("campaign", t.campaign().deepCopy());
    ArrayNode rows = out.putArray("rows");
    for (Row r : t.rows()) {
      ObjectNode o = rows.addObject();
      o.put("board", r.board());
      o.put("bench", r.bench());
      o.put("mode", r.mode());
      o.put("state", r.state());
      o.put("simulated", r.simulated());
      o.put("environment", r.environment());
      o.put("runtime", r.runtime());
      o.put("unit", r.unit());
      ArrayNode values = o.putArray("per_iteration");
      for (double v : r.perIteration()) {
        values.add(v);
      }
      putNum(o, "median", r.median());
      if (r.interval() != null) {
        o.putArray("ci").add(r.interval().low()).add(r.interval().high());
        o.put("ci_coverage", r.interval().coverage());
      }
      putNum(o, "frequency_hz", r.frequencyHz());
      if (r.baseline() != null) {
        o.put("baseline", r.baseline().label());
      }
      putNum(o, "slowdown", r.slowdown());
      if (r.slowdownInterval() != null) {
        o.putArray("slowdown_ci").add(r.slowdownInterval().low()).add(r.slowdownInterval().high());
      }
      if (r.checksum() != null) {
        o.put("checksum", r.checksum());
        o.put("checksum_verdict", r.checksumVerdict());
      }
      ObjectNode mem = o.putObject("memory");
      r.memory().forEach(mem::put);
      if (r.error() != null) {
        o.put("error", r.error());
      }
    }
    return out;
  }

  /** Writes campaign.md, cells.csv, runs.csv, campaign.json and a PNG per bench into {@code dir}. */
  public List<Path> writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    files.add(write(dir.resolve("campaign.md"), markdown()));
    files.add(write(dir.resolve("cells.csv"), csv()));
    files.add(write(dir.resolve("runs.csv"), runsCsv()));
    files.add(write(dir.resolve("campaign.json"),
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json())));
    for (String bench : List.of("fft", "toggle")) {
      List<String> names = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      for (Row r : t.rows()) {
        if (r.bench().equals(bench) && r.slowdown() != null && !r.host() && !r.mode().equals("native")) {
          names.add(r.board() + " " + r.mode() + (r.simulated() ? " (sim)" : ""));
          values.add(r.slowdown());
        }
      }
      if (t.rows().stream().anyMatch(r -> r.bench().equals(bench))) {
        Path png = dir.resolve(bench + ".png");
        SlowdownChart.write(png, (bench.equals("fft") ? "FFT (N = 1024)" : "GPIO toggle") + ", campaign " + t.id()
            + ": slowdown vs native C", "board / mode", names, values);
        files.add(png);
      }
    }
    return files;
  }

  private static Path write(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  // ---- formatting -----------------------------------------------------------------------------

  static String fig(Double v) {
    if (v == null) {
      return "";
    }
    double a = Math.abs(v);
    return a >= 1000 ? String.format(Locale.ROOT, "%,.0f", v) : a >= 10 ? String.format(Locale.ROOT, "%.1f", v)
        : String.format(Locale.ROOT, "%.3g", v);
  }

  static String times(double v) {
    return String.format(Locale.ROOT, v >= 10 ? "%.1fx" : "%.2fx", v);
  }

  private static String interval(Stats.Interval i) {
    return i == null ? "" : "[" + fig(i.low()) + ", " + fig(i.high()) + "]";
  }

  private static String intervalTimes(Stats.Interval i) {
    return "[" + times(i.low()) + ", " + times(i.high()) + "]";
  }

  static String hz(double f) {
    if (f >= 1e6) {
      return String.format(Locale.ROOT, "%.2f MHz", f / 1e6);
    }
    return f >= 1e3 ? String.format(Locale.ROOT, "%.1f kHz", f / 1e3) : String.format(Locale.ROOT, "%.1f Hz", f);
  }

  private static String kib(Long bytes) {
    return bytes == null ? "" : String.format(Locale.ROOT, "%.2f KiB", bytes / 1024.0);
  }

  private static Long delta(Long value, long before) {
    return value == null ? null : value - before;
  }

  private static String join(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return String.join(",", out);
  }

  private static String num(Double v) {
    return v == null ? "" : String.format(Locale.ROOT, "%.6g", v);
  }

  private static String str(String s) {
    return s == null ? "" : s;
  }

  private static String quote(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  private static String mem(Row r, String key) {
    Long v = r.memory().get(key);
    return v == null ? "" : v.toString();
  }

  private static void putNum(ObjectNode o, String key, Double v) {
    if (v != null) {
      o.put(key, v);
    }
  }
}
