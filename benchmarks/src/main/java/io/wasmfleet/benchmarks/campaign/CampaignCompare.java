package io.wasmfleet.benchmarks.campaign;

import io.wasmfleet.benchmarks.campaign.CampaignTables.Row;
import io.wasmfleet.report.Stats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Two campaigns row by row (same board, bench and mode): the ratio of their medians with a 95%
 * bootstrap interval and a verdict, "no difference" when the interval holds 1. Or one campaign
 * against the seed's published figures: its slowdowns against the seed's for the same board
 * type and runtime/mode (a simulated board's host time is never set against MCU cycles).
 */
public final class CampaignCompare {

  /** One compared row: {@code ratio} is B / A (for the seed: ours / the seed's slowdown). */
  public record Line(String board, String bench, String mode, String what, String a, String b, double ratio,
      Stats.Interval interval, String verdict) {}

  private CampaignCompare() {}

  public static List<Line> between(CampaignTables a, CampaignTables b) {
    List<Line> out = new ArrayList<>();
    for (Row ra : a.rows()) {
      Optional<Row> match = b.rows().stream().filter(r -> r.board().equals(ra.board()) && r.bench().equals(ra.bench())
          && r.mode().equals(ra.mode())).findFirst();
      if (match.isEmpty() || !ra.measured() || !match.get().measured() || !ra.unit().equals(match.get().unit())) {
        continue;
      }
      Row rb = match.get();
      double ratio = rb.median() / ra.median();
      Stats.Interval interval = Stats.ratioInterval(rb.perIteration(), ra.perIteration());
      out.add(new Line(ra.board(), ra.bench(), ra.mode(), ra.unit(), CampaignReport.fig(ra.median()),
          CampaignReport.fig(rb.median()), ratio, interval, verdict(interval, "B", "A")));
    }
    return out;
  }

  /** "no difference" when the interval holds 1; else how much slower or faster, as an interval. */
  public static String verdict(Stats.Interval i, String subject, String other) {
    if (i.covers(1.0)) {
      return "no difference";
    }
    if (i.low() > 1) {
      return String.format(Locale.ROOT, "%s is %.2fx to %.2fx slower than %s", subject, i.low(), i.high(), other);
    }
    return String.format(Locale.ROOT, "%s is %.2fx to %.2fx faster than %s", subject, 1 / i.high(), 1 / i.low(), other);
  }

  public static List<Line> withSeed(CampaignTables ours, SeedReference seed) {
    List<Line> out = new ArrayList<>();
    for (Row r : ours.rows()) {
      if (r.host() || r.slowdown() == null || r.boardType() == null) {
        continue;
      }
      Optional<SeedReference.Row> ref = seed.find(r.bench(), r.boardType(), "Zephyr", SeedReference.runtimeOf(r.mode()));
      if (ref.isEmpty()) {
        continue;
      }
      double s = ref.get().slowdown();
      Stats.Interval mine = r.slowdownInterval() != null ? r.slowdownInterval()
          : new Stats.Interval(r.slowdown(), r.slowdown(), 0);
      Stats.Interval interval = new Stats.Interval(mine.low() / s, mine.high() / s, mine.coverage());
      out.add(new Line(r.board() + (r.simulated() ? " (simulated)" : ""), r.bench(), r.mode(),
          "slowdown vs native C (seed: " + ref.get().runtime() + ", Zephyr)", CampaignReport.times(s),
          CampaignReport.times(r.slowdown()), r.slowdown() / s, interval,
          verdict(interval, "ours", "the seed's")));
    }
    return out;
  }

  public static String markdown(String title, String aName, String bName, List<Line> lines) {
    StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
    md.append("| Board | Bench | Mode | Figure | ").append(aName).append(" | ").append(bName)
        .append(" | Ratio | 95% CI | Verdict |\n|---|---|---|---|---:|---:|---:|---|---|\n");
    for (Line l : lines) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.3f | [%.3f, %.3f] | %s |%n", l.board(),
          l.bench(), l.mode(), l.what(), l.a(), l.b(), l.ratio(), l.interval().low(), l.interval().high(), l.verdict()));
    }
    if (lines.isEmpty()) {
      md.append("\n(no rows in common)\n");
    }
    return md.toString();
  }
}
