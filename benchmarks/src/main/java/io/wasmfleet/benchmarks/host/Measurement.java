package io.wasmfleet.benchmarks.host;

import java.util.Map;

/**
 * What one runtime gave for one benchmark. {@code ns}: per repeat, the time of one iteration
 * (one FFT, or one call of gpio_toggle) of the timed loop alone: process start, module load and
 * compilation are {@code phasesMs}. {@code checksum}: the FFT's, null for toggle.
 */
public record Measurement(String runtime, Bench bench, Outcome outcome, String detail, double[] ns, Long checksum,
    Map<String, Double> phasesMs) {

  /** How a row ended. */
  public enum Outcome {
    /** Measured; for the FFT, the checksum equals native C's. */
    OK,
    /** Measured, but the FFT's checksum differs from native C's: the figure is not comparable. */
    WRONG,
    /** The runtime is not on this machine: {@code detail} says how to get it. */
    NOT_FOUND,
    /** The runtime cannot run this benchmark (e.g. no way to provide an import on its command line). */
    NOT_APPLICABLE,
    /** The runtime failed: {@code detail} says how. */
    FAILED
  }

  static Measurement missing(String runtime, Bench bench, Outcome outcome, String detail) {
    return new Measurement(runtime, bench, outcome, detail, new double[0], null, Map.of());
  }

  Measurement withOutcome(Outcome o, String why) {
    return new Measurement(runtime, bench, o, why, ns, checksum, phasesMs);
  }

  public boolean measured() {
    return outcome == Outcome.OK || outcome == Outcome.WRONG;
  }
}
