package io.wasmfleet.benchmarks.host;

/** The benchmarks of the seed: a 1024-point FFT, and GPIO toggle (on the host: calling an import). */
public enum Bench {
  FFT("fft_bench", "FFT"),
  TOGGLE("toggle_forever", "call");

  /** The module in build/wasm that holds it. */
  final String module;
  /** One iteration, in words. */
  final String unit;

  Bench(String module, String unit) {
    this.module = module;
    this.unit = unit;
  }

  /** Iterations of the timed loop per repeat: FFTs, or toggle calls (10,000 per FFT iteration asked). */
  long iterations(int asked) {
    return this == FFT ? asked : asked * 10_000L;
  }

  static Bench parse(String name) {
    return switch (name) {
      case "fft" -> FFT;
      case "toggle" -> TOGGLE;
      default -> throw new IllegalArgumentException("unknown bench '" + name + "'; known: fft, toggle");
    };
  }

  String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
