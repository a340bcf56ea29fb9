package io.wasmfleet.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/** A PNG bar chart of slowdowns (x times the baseline), log scale: every campaign's plot. */
public final class SlowdownChart {

  private SlowdownChart() {}

  public static void write(Path file, String title, String xTitle, List<String> names, List<Double> values)
      throws IOException {
    List<String> n = new ArrayList<>(names);
    List<Double> v = new ArrayList<>(values);
    if (n.isEmpty()) {
      n.add("no baseline");
      v.add(1.0);
    }
    CategoryChart chart = new CategoryChartBuilder().width(Math.max(900, 90 * n.size())).height(520)
        .title(title).xAxisTitle(xTitle).yAxisTitle("slowdown (x), log scale").build();
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setXAxisLabelRotation(20);
    // bars start at the axis minimum, which a log axis needs above zero
    chart.getStyler().setYAxisMin(v.stream().mapToDouble(Double::doubleValue).min().orElse(1) / 2);
    chart.addSeries("slowdown", n, v);
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
