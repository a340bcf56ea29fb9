package io.wasmfleet.report;

import java.util.Arrays;
import java.util.Random;

/**
 * The statistics of a campaign: medians, a distribution-free 95% confidence interval of a
 * median (order statistics of the binomial), and a seeded bootstrap interval for the ratio of
 * two medians ("A is 1.2x to 1.3x slower than B").
 */
public final class Stats {

  private Stats() {}

  /** An interval and the confidence it really has (order statistics give at least the level asked). */
  public record Interval(double low, double high, double coverage) {

    /** True when the interval holds {@code value} (a ratio of 1: "no difference"). */
    public boolean covers(double value) {
      return low <= value && value <= high;
    }
  }

  public static double median(double[] values) {
    double[] s = sorted(values);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /**
   * The 95% interval of the median: [x(k), x(n-k+1)] with the largest k whose two tails together
   * hold at most 5% of Binomial(n, 1/2). With fewer than 6 values no such k exists: then
   * [min, max], whose coverage (1 - 2^(1-n)) is said.
   */
  public static Interval medianInterval(double[] values) {
    double[] s = sorted(values);
    int n = s.length;
    int k = 0;
    double tail = 0;
    double below = 0; // P(X <= k - 1)
    for (int j = 0; j < n; j++) {
      below += binomial(n, j) / Math.pow(2, n);
      if (below > 0.025) {
        break;
      }
      k = j + 1;
      tail = below;
    }
    if (k == 0) {
      return new Interval(s[0], s[n - 1], 1 - 2 / Math.pow(2, n));
    }
    return new Interval(s[k - 1], s[n - k], 1 - 2 * tail);
  }

  /** 95% percentile-bootstrap interval of median(a) / median(b), with a fixed seed so a report replays. */
  public static Interval ratioInterval(double[] a, double[] b) {
    Random random = new Random(42);
    int rounds = 2000;
    double[] ratios = new double[rounds];
    double[] ra = new double[a.length];
    double[] rb = new double[b.length];
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < a.length; i++) {
        ra[i] = a[random.nextInt(a.length)];
      }
      for (int i = 0; i < b.length; i++) {
        rb[i] = b[random.nextInt(b.length)];
      }
      ratios[r] = median(ra) / median(rb);
    }
    Arrays.sort(ratios);
    return new Interval(ratios[(int) (rounds * 0.025)], ratios[(int) (rounds * 0.975) - 1], 0.95);
  }

  private static double binomial(int n, int k) {
    double c = 1;
    for (int i = 1; i <= k; i++) {
      c = c * (n - k + i) / i;
    }
    return c;
  }

  private static double[] sorted(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    double[] s = values.clone();
    Arrays.sort(s);
    return s;
  }
}
