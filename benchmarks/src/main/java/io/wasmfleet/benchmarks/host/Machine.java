package io.wasmfleet.benchmarks.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The machine a campaign ran on, named in every report: CPU model, cores, OS, and the clock
 * that turns time into cycles, with where that clock came from.
 */
public record Machine(String cpu, int cores, String os, Double ghz, String clockSource) {

  static Machine detect(Double cpuGhz) {
    String model = "unknown CPU";
    Double mhz = null;
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
      for (String line : lines) {
        if (line.startsWith("model name") && model.equals("unknown CPU")) {
          model = line.substring(line.indexOf(':') + 1).strip();
        } else if (line.startsWith("cpu MHz") && mhz == null) {
          mhz = Double.parseDouble(line.substring(line.indexOf(':') + 1).strip());
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux, or no clock given: said below
    }
    String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch");
    int cores = Runtime.getRuntime().availableProcessors();
    if (cpuGhz != null) {
      return new Machine(model, cores, os, cpuGhz, "given with --cpu-ghz");
    }
    if (mhz != null) {
      return new Machine(model, cores, os, mhz / 1000, "read from /proc/cpuinfo (\"cpu MHz\", the clock at the time;"
          + " pass --cpu-ghz F for a pinned clock)");
    }
    return new Machine(model, cores, os, null, "unknown (no /proc/cpuinfo clock): pass --cpu-ghz F for cycles");
  }

  String describe() {
    return String.format(Locale.ROOT, "%s, %d cores, %s; clock %s %s", cpu, cores, os,
        ghz == null ? "n/a" : String.format(Locale.ROOT, "%.2f GHz", ghz), clockSource);
  }
}
