package io.wasmfleet.benchmarks;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import io.wasmfleet.wasm.BuiltModules;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host side of the seed's FFT table: the same fft_bench.c as native C and as wasm run by
 * the simulator's engines (Chicory's interpreter, and its compiler with the ByteArrayMemory
 * and the default memory). Reports the median time per 1024-point FFT and the slowdown
 * against native, checks every engine's checksum against native, and writes the table to a
 * results file.
 *
 * <p>usage: FftHostBenchmark [--iterations N] [--rounds R] [--out FILE]
 */
public final class FftHostBenchmark {

  private record Row(String runtime, double nsPerFft, long checksum) {}

  public static void main(String[] args) throws Exception {
    int iterations = 100;
    int rounds = 5;
    Path out = Paths.get("benchmarks/results/fft-host.md");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--out" -> out = Paths.get(args[++i]);
        default -> {
          System.err.println("usage: FftHostBenchmark [--iterations N] [--rounds R] [--out FILE]");
          System.exit(2);
        }
      }
    }
    List<Row> rows = new ArrayList<>();
    rows.add(nativeRun(iterations, rounds));
    WasmModule module = Parser.parse(BuiltModules.wasm("fft_bench"));
    rows.add(chicory("Chicory interpreter (ByteArrayMemory)", module, null, true, iterations, rounds));
    Function<Instance, com.dylibso.chicory.runtime.Machine> compiled = MachineFactoryCompiler.compile(module);
    rows.add(chicory("Chicory compiler (ByteArrayMemory)", module, compiled, true, iterations, rounds));
    rows.add(chicory("Chicory compiler (default memory)", module, compiled, false, iterations, rounds));

    String table = table(rows, iterations, rounds);
    System.out.print(table);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, table, StandardCharsets.UTF_8);
    System.out.println("written to " + out);
    long expected = rows.get(0).checksum();
    if (rows.stream().anyMatch(r -> r.checksum() != expected)) {
      System.err.println("checksum mismatch: the engines disagree on the FFT's result");
      System.exit(1);
    }
  }

  private static Row nativeRun(int iterations, int rounds) throws IOException, InterruptedException {
    Path exe = BuiltModules.directory().resolve("fft_bench_native");
    Pattern p = Pattern.compile("ns_per_fft=([0-9.]+) checksum=(\\d+)");
    double[] ns = new double[rounds];
    long checksum = 0;
    for (int r = 0; r < rounds; r++) {
      Process proc = new ProcessBuilder(exe.toString(), Integer.toString(iterations)).start();
      String line;
      try (BufferedReader in = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.US_ASCII))) {
        line = in.readLine();
      }
      if (proc.waitFor() != 0 || line == null) {
        throw new IOException(exe + " failed");
      }
      Matcher m = p.matcher(line);
      if (!m.find()) {
        throw new IOException("unexpected output from " + exe + ": " + line);
      }
      ns[r] = Double.parseDouble(m.group(1));
      checksum = Long.parseLong(m.group(2));
    }
    return new Row("native C (cc -O3)", median(ns), checksum);
  }

  private static Row chicory(String name, WasmModule module,
      Function<Instance, com.dylibso.chicory.runtime.Machine> machine, boolean byteArray,
      int iterations, int rounds) {
    Instance.Builder b = Instance.builder(module);
    if (byteArray) {
      b.withMemoryFactory(ByteArrayMemory::new);
    }
    if (machine != null) {
      b.withMachineFactory(machine);
    }
    Instance instance = b.build();
    ExportFunction init = instance.export("fft_init");
    ExportFunction bench = instance.export("fft_bench");
    ExportFunction checksum = instance.export("fft_checksum");
    init.apply();
    bench.apply(Math.max(1, iterations / 10)); // warm-up: class loading, JIT
    double[] ns = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long start = System.nanoTime();
      bench.apply(iterations);
      ns[r] = (System.nanoTime() - start) / (double) iterations;
    }
    return new Row(name, median(ns), Integer.toUnsignedLong((int) checksum.apply()[0]));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static String table(List<Row> rows, int iterations, int rounds) {
    double base = rows.get(0).nsPerFft();
    StringBuilder t = new StringBuilder();
    t.append("# FFT on the host: native C vs the simulator's wasm engines\n\n");
    t.append(String.format(Locale.ROOT, "%s, %s %s, %d cores; %d iterations x %d rounds, median.%n%n",
        ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
        System.getProperty("java.vm.name"), System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(), iterations, rounds));
    t.append("| runtime | ns per 1024-point FFT | slowdown vs native | checksum |\n");
    t.append("|---|---:|---:|---|\n");
    for (Row r : rows) {
      t.append(String.format(Locale.ROOT, "| %s | %,.0f | %.2fx | %d%s |%n", r.runtime(), r.nsPerFft(),
          r.nsPerFft() / base, r.checksum(), r.checksum() == rows.get(0).checksum() ? "" : " (MISMATCH)"));
    }
    return t.toString();
  }
}
