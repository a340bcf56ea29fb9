package io.wasmfleet.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(3, Stats.median(new double[] {5, 1, 3}));
    assertEquals(2.5, Stats.median(new double[] {4, 1, 2, 3}));
  }

  @Test
  void theMedianIntervalOfTenRepeatsIsTheSecondToTheNinthValue() {
    double[] v = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
    Stats.Interval ci = Stats.medianInterval(v);
    assertEquals(2, ci.low());
    assertEquals(9, ci.high());
    assertEquals(1 - 2 * 11 / 1024.0, ci.coverage(), 1e-9, "P(2 <= rank <= 9) of Binomial(10, 1/2)");
  }

  @Test
  void withFewerThanSixRepeatsTheIntervalIsTheRangeAndSaysItsCoverage() {
    Stats.Interval ci = Stats.medianInterval(new double[] {3, 1, 2, 5, 4});
    assertEquals(1, ci.low());
    assertEquals(5, ci.high());
    assertEquals(1 - 2 / 32.0, ci.coverage(), 1e-9);
  }

  @Test
  void aRatioIntervalSaysNoDifferenceWhenItCoversOne() {
    double[] a = {100, 101, 99, 102, 98, 100, 101, 99, 100, 100};
    double[] b = {100, 99, 101, 100, 102, 98, 100, 101, 99, 100};
    assertTrue(Stats.ratioInterval(a, b).covers(1), "the same distribution: no difference");

    double[] twice = new double[b.length];
    for (int i = 0; i < b.length; i++) {
      twice[i] = 2 * b[i] + (i % 3);
    }
    Stats.Interval slower = Stats.ratioInterval(twice, b);
    assertFalse(slower.covers(1));
    assertTrue(slower.low() > 1.9 && slower.high() < 2.1, slower.toString());
    assertEquals(slower, Stats.ratioInterval(twice, b), "seeded: a report replays");
  }
}
