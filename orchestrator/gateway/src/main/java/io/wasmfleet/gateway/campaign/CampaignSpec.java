package io.wasmfleet.gateway.campaign;

import java.util.List;

/**
 * What a campaign measures: the boards chosen by {@code select} (resolved once, when it is
 * submitted), every bench x mode on each, {@code iterations} per run (FFTs; toggles in units of
 * 10,000), one warm-up run and {@code repeats} timed runs per cell.
 */
public record CampaignSpec(String select, List<String> benches, List<String> modes, int iterations, int repeats,
    int resultTimeoutSeconds, int parallel) {

  public static final List<String> BENCHES = List.of("fft", "toggle");
  public static final List<String> MODES = List.of("interp", "aot");
  /** The host's native C: the baseline row for simulated boards. */
  public static final String NATIVE = "native";
  /** The pseudo-board that holds the host baseline cells. */
  public static final String HOST = "host";
  public static final int TOGGLES_PER_ITERATION = 10_000;

  public CampaignSpec {
    benches = List.copyOf(benches);
    modes = List.copyOf(modes);
  }

  /** The START arguments' count for one timed run of {@code bench}. */
  public long count(String bench) {
    return bench.equals("fft") ? iterations : (long) iterations * TOGGLES_PER_ITERATION;
  }
}
