package io.wasmfleet.benchmarks.host;

import io.wasmfleet.report.Stats;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One benchmark's rows as the seed's tables (plus intervals), and as CSV, JSON and a PNG plot of
 * the slowdown per runtime on a log scale.
 */
final class HostReport {

  /** A row with its figures worked out. */
  record Row(Measurement m, double median, Stats.Interval medianCi, Double slowdown, Stats.Interval slowdownCi) {}

  private final Bench bench;
  private final Machine machine;
  private final String method;
  private final List<Row> rows = new ArrayList<>();

  HostReport(Bench bench, Machine machine, int iterations, int repeats, List<Measurement> measurements) {
    this.bench = bench;
    this.machine = machine;
    this.method = String.format(Locale.ROOT, "%,d %s%s per repeat, %d repeats after one warm-up run; each figure is"
        + " the median of the repeats with its 95%% confidence interval (order statistics); only the timed loop"
        + " counts (start, load and compilation are the phases below). %s Slowdown = median / native C's median,"
        + " with a 95%% bootstrap interval.", bench.iterations(iterations), bench.unit,
        bench.iterations(iterations) == 1 ? "" : "s", repeats,
        bench == Bench.FFT ? "Cycles = time x clock." : "Calls per second = 1 / time per call.");
    Measurement base = measurements.stream().filter(m -> m.runtime().startsWith("Native C") && m.measured())
        .findFirst().orElse(null);
    for (Measurement m : measurements) {
      if (!m.measured()) {
        rows.add(new Row(m, Double.NaN, null, null, null));
        continue;
      }
      double median = Stats.median(m.ns());
      Double slowdown = base == null ? null : median / Stats.median(base.ns());
      Stats.Interval ci = base == null ? null : Stats.ratioInterval(m.ns(), base.ns());
      rows.add(new Row(m, median, Stats.medianInterval(m.ns()), slowdown, ci));
    }
  }

  List<Row> rows() {
    return rows;
  }

  String markdown() {
    StringBuilder t = new StringBuilder();
    t.append(bench == Bench.FFT ? "# Host campaign: FFT (N = 1024)\n\n" : "# Host campaign: toggle (calling an imported no-op gpio_toggle)\n\n");
    t.append("Machine: ").append(machine.describe()).append(". JDK ").append(System.getProperty("java.version"))
        .append(", ").append(java.time.ZonedDateTime.now().withNano(0)).append(".\n\n");
    t.append("Method: ").append(method).append("\n\n");
    String env = "Linux host";
    if (bench == Bench.FFT) {
      t.append("| Environment | Runtime / Mode | Average cycles per FFT | Slowdown vs native C | 95% CI of the slowdown"
          + " | ns per FFT (median) | 95% CI of the median | checksum |\n|---|---|---:|---:|---|---:|---|---|\n");
    } else {
      t.append("| Environment | Runtime / Mode | Calls per second | Slowdown vs native C | 95% CI of the slowdown"
          + " | ns per call (median) | 95% CI of the median |\n|---|---|---:|---:|---|---:|---|\n");
    }
    for (Row r : rows) {
      Measurement m = r.m();
      if (!m.measured()) {
        t.append("| ").append(env).append(" | ").append(m.runtime()).append(" | ").append(m.detail())
            .append(bench == Bench.FFT ? " | | | | | |\n" : " | | | | |\n");
        continue;
      }
      String first = bench == Bench.FFT
          ? (machine.ghz() == null ? "n/a (no clock)" : String.format(Locale.ROOT, "%,.0f", r.median() * machine.ghz()))
          : String.format(Locale.ROOT, "%,.0f", 1e9 / r.median());
      t.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |", env, m.runtime(), first,
          r.slowdown() == null ? "n/a" : String.format(Locale.ROOT, "%.2fx", r.slowdown()),
          r.slowdownCi() == null ? "" : String.format(Locale.ROOT, "%.2fx to %.2fx", r.slowdownCi().low(), r.slowdownCi().high()),
          ns(r.median()), String.format(Locale.ROOT, "%s to %s (%.1f%%)", ns(r.medianCi().low()), ns(r.medianCi().high()),
              100 * r.medianCi().coverage())));
      if (bench == Bench.FFT) {
        t.append(' ').append(m.checksum()).append(m.outcome() == Measurement.Outcome.WRONG ? " (WRONG: " + m.detail() + ")" : "")
            .append(" |");
      }
      t.append('\n');
    }
    Set<String> phases = new LinkedHashSet<>();
    rows.forEach(r -> phases.addAll(r.m().phasesMs().keySet()));
    if (!phases.isEmpty()) {
      t.append("\nPhases, once per runtime (ms):\n\n| Runtime / Mode |");
      phases.forEach(p -> t.append(' ').append(p).append(" |"));
      t.append("\n|---|").append("---:|".repeat(phases.size())).append('\n');
      for (Row r : rows) {
        if (r.m().measured()) {
          t.append("| ").append(r.m().runtime()).append(" |");
          phases.forEach(p -> {
            Double v = r.m().phasesMs().get(p);
            t.append(' ').append(v == null ? "" : String.format(Locale.ROOT, "%.1f", v)).append(" |");
          });
          t.append('\n');
        }
      }
    }
    return t.toString();
  }

  private static String ns(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.3f", v);
  }

  String csv() {
    StringBuilder c = new StringBuilder("bench,runtime,outcome,detail,median_ns,median_ci_low_ns,median_ci_high_ns,"
        + "cycles,calls_per_s,slowdown,slowdown_ci_low,slowdown_ci_high,checksum,ns_per_repeat\n");
    for (Row r : rows) {
      Measurement m = r.m();
      boolean x = m.measured();
      c.append(String.join(",", bench.key(), quote(m.runtime()), m.outcome().name(), quote(m.detail() == null ? "" : m.detail()),
          x ? num(r.median()) : "", x ? num(r.medianCi().low()) : "", x ? num(r.medianCi().high()) : "",
          x && bench == Bench.FFT && machine.ghz() != null ? num(r.median() * machine.ghz()) : "",
          x && bench == Bench.TOGGLE ? num(1e9 / r.median()) : "",
          r.slowdown() == null ? "" : num(r.slowdown()), r.slowdownCi() == null ? "" : num(r.slowdownCi().low()),
          r.slowdownCi() == null ? "" : num(r.slowdownCi().high()), m.checksum() == null ? "" : m.checksum().toString(),
          quote(joined(m.ns())))).append('\n');
    }
    return c.toString();
  }

  private static String joined(double[] ns) {
    List<String> out = new ArrayList<>();
    for (double v : ns) {
      out.add(num(v));
    }
    return String.join(";", out);
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }

  ObjectNode json(ObjectMapper mapper) {
    ObjectNode root = mapper.createObjectNode();
    root.put("bench", bench.key());
    ObjectNode mach = root.putObject("machine");
    mach.put("cpu", machine.cpu());
    mach.put("cores", machine.cores());
    mach.put("os", machine.os());
    if (machine.ghz() != null) {
      mach.put("clock_ghz", machine.ghz());
    }
    mach.put("clock_source", machine.clockSource());
    root.put("method", method);
    ArrayNode list = root.putArray("rows");
    for (Row r : rows) {
      ObjectNode o = list.addObject();
      Measurement m = r.m();
      o.put("runtime", m.runtime());
      o.put("outcome", m.outcome().name());
      if (m.detail() != null) {
        o.put("detail", m.detail());
      }
      if (m.measured()) {
        o.put("median_ns", r.median());
        o.putArray("median_ci_ns").add(r.medianCi().low()).add(r.medianCi().high());
        o.put("median_ci_coverage", r.medianCi().coverage());
        if (r.slowdown() != null) {
          o.put("slowdown", r.slowdown());
          o.putArray("slowdown_ci").add(r.slowdownCi().low()).add(r.slowdownCi().high());
        }
        if (bench == Bench.FFT && machine.ghz() != null) {
          o.put("cycles", r.median() * machine.ghz());
        }
        if (m.checksum() != null) {
          o.put("checksum", m.checksum());
        }
        ArrayNode ns = o.putArray("ns_per_repeat");
        for (double v : m.ns()) {
          ns.add(v);
        }
        ObjectNode phases = o.putObject("phases_ms");
        m.phasesMs().forEach(phases::put);
      }
    }
    return root;
  }

  /** Slowdown per measured runtime, log scale. */
  void png(Path file) throws IOException {
    List<String> names = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    for (Row r : rows) {
      if (r.slowdown() != null) {
        names.add(r.m().runtime());
        values.add(r.slowdown());
      }
    }
    io.wasmfleet.benchmarks.SlowdownChart.write(file,
        (bench == Bench.FFT ? "FFT (N = 1024)" : "toggle (imported call)") + ": slowdown vs native C, log scale",
        "runtime / mode", names, values);
  }

  /** Writes DIR/host-<bench>.md, .csv, .json, .png; returns the markdown. */
  String writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    String base = "host-" + bench.key();
    String md = markdown();
    Files.writeString(dir.resolve(base + ".md"), md, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(base + ".csv"), csv(), StandardCharsets.UTF_8);
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Files.writeString(dir.resolve(base + ".json"), mapper.writeValueAsString(json(mapper)), StandardCharsets.UTF_8);
    png(dir.resolve(base + ".png"));
    return md;
  }
}
