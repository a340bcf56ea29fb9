package io.wasmfleet.benchmarks.host;

import io.wasmfleet.report.Stats;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A runtime the host campaign measures. {@link #missing} says why it is not on this machine and
 * how to get it (null when it is); {@link #run} measures one benchmark.
 */
interface HostRuntime {

  /** The key on the command line ({@code --runtimes}). */
  String key();

  /** The row's label, as the seed's tables say it. */
  String label();

  String missing();

  Measurement run(Bench bench, Path wasm, int iterations, int repeats) throws Exception;

  // ---- native C -----------------------------------------------------------------------------

  /** The same C, built with {@code cc -O3}; the program times its own loop. */
  record NativeC(Path workDir, Path sources, Path generated) implements HostRuntime {

    public String key() {
      return "native";
    }

    public String label() {
      return "Native C (cc -O3)";
    }

    public String missing() {
      return Tools.onPath("cc") ? null : "not found: no C compiler 'cc' (apt-get install --no-install-recommends gcc)";
    }

    public Measurement run(Bench bench, Path wasm, int iterations, int repeats) throws Exception {
      Files.createDirectories(workDir);
      Path exe = workDir.resolve(bench == Bench.FFT ? "fft_native" : "toggle_native");
      List<String> cc = bench == Bench.FFT
          ? List.of("cc", "-O3", "-ffp-contract=off", "-DFFT_HOST_MAIN", "-I", generated.toString(), "-o",
              exe.toString(), sources.resolve("wasm/c/fft_bench.c").toString())
          : List.of("cc", "-O3", "-o", exe.toString(), sources.resolve("benchmarks/native/toggle_native.c").toString());
      long start = System.nanoTime();
      Tools.run(cc, 120);
      double compileMs = (System.nanoTime() - start) / 1e6;
      Pattern p = Pattern.compile("ns_per_(?:fft|call)=([0-9.]+)(?: checksum=(\\d+))?");
      double[] ns = new double[repeats];
      Long checksum = null;
      long n = bench.iterations(iterations);
      Tools.run(List.of(exe.toString(), Long.toString(Math.max(1, n / 10))), 120); // warm-up
      for (int r = 0; r < repeats; r++) {
        Matcher m = p.matcher(Tools.run(List.of(exe.toString(), Long.toString(n)), 600));
        if (!m.find()) {
          throw new IOException("unexpected output from " + exe);
        }
        ns[r] = Double.parseDouble(m.group(1));
        checksum = m.group(2) == null ? null : Long.parseLong(m.group(2));
      }
      return new Measurement(label(), bench, Measurement.Outcome.OK, null, ns, checksum,
          Map.of("compile", compileMs));
    }
  }

  // ---- Chicory (in this JVM) ----------------------------------------------------------------

  /** Chicory's interpreter, or its compiler to JVM bytecode; a no-op {@code gpio_toggle} host function. */
  record Chicory(boolean compiled) implements HostRuntime {

    public String key() {
      return compiled ? "chicory-compiler" : "chicory-interp";
    }

    public String label() {
      return compiled ? "Chicory (compiler to JVM bytecode)" : "Chicory (interpreter)";
    }

    public String missing() {
      return null;
    }

    public Measurement run(Bench bench, Path wasm, int iterations, int repeats) throws Exception {
      long t0 = System.nanoTime();
      WasmModule module = Parser.parse(wasm);
      Instance.Builder b = Instance.builder(module).withMemoryFactory(ByteArrayMemory::new)
          .withImportValues(ImportValues.builder().addFunction(noop("gpio_toggle"), noop("led_toggle")).build());
      if (compiled) {
        b.withMachineFactory(MachineFactoryCompiler.compile(module));
      }
      long t1 = System.nanoTime();
      Instance instance = b.build();
      long t2 = System.nanoTime();
      Map<String, Double> phases = new LinkedHashMap<>();
      phases.put(compiled ? "compile" : "parse", (t1 - t0) / 1e6);
      phases.put("instantiate", (t2 - t1) / 1e6);
      long n = bench.iterations(iterations);
      ExportFunction loop = instance.export(bench == Bench.FFT ? "fft_bench" : "toggle_n");
      if (bench == Bench.FFT) {
        instance.export("fft_init").apply();
      }
      loop.apply(Math.max(1, n / 10)); // warm-up: class loading, JIT
      double[] ns = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        long start = System.nanoTime();
        loop.apply(n);
        ns[r] = (System.nanoTime() - start) / (double) n;
      }
      Long checksum = bench == Bench.FFT ? Integer.toUnsignedLong((int) instance.export("fft_checksum").apply()[0]) : null;
      return new Measurement(label(), bench, Measurement.Outcome.OK, null, ns, checksum, phases);
    }

    private static HostFunction noop(String name) {
      return new HostFunction("env", name, FunctionType.empty(), (inst, args) -> null);
    }
  }

  // ---- Node / V8 ------------------------------------------------------------------------------

  /** V8 through {@code node}: benchmarks/runners/node-runner.mjs times the loop inside the process. */
  record Node(Path runner) implements HostRuntime {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String key() {
      return "node";
    }

    public String label() {
      return "Node.js V8 (" + Tools.firstLine(List.of("node", "--version")) + ")";
    }

    public String missing() {
      return Tools.onPath("node") ? null
          : "not found: 'node' is not on PATH (apt-get install --no-install-recommends nodejs)";
    }

    public Measurement run(Bench bench, Path wasm, int iterations, int repeats) throws Exception {
      JsonNode out = JSON.readTree(Tools.run(List.of("node", runner.toString(), wasm.toString(), bench.key(),
          Long.toString(bench.iterations(iterations)), Integer.toString(repeats)), 1800));
      double[] ns = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        ns[r] = out.get("ns").get(r).asDouble();
      }
      Map<String, Double> phases = new LinkedHashMap<>();
      phases.put("compile", out.get("compile_ms").asDouble());
      phases.put("instantiate", out.get("instantiate_ms").asDouble());
      Long checksum = out.get("checksum").isNull() ? null : out.get("checksum").asLong();
      return new Measurement(label(), bench, Measurement.Outcome.OK, null, ns, checksum, phases);
    }
  }

  // ---- runtimes driven through their command line: wasm3, WAMR's iwasm ------------------------

  /**
   * A runtime whose command line runs an export with arguments and prints its result
   * ({@code wasm3 --func app_main m.wasm N}, {@code iwasm -f app_main m.wasm N}). The process
   * start, load and any compilation cannot be told apart from the loop from outside, so the loop
   * is timed by difference: t(2N) - t(N) = the time of N iterations; the rest is reported as the
   * "start + load" phase. Such a command line cannot provide the gpio_toggle import: toggle is n/a.
   * {@code aotCompiler}: for WAMR AOT, wamrc's command (the module is compiled once, timed).
   */
  record CommandLine(String key, String label, List<String> command, String howToGet, List<String> aotCompiler)
      implements HostRuntime {

    public String missing() {
      String exe = command.get(0);
      boolean there = exe.contains("/") ? Files.isExecutable(Path.of(exe)) : Tools.onPath(exe);
      if (there && aotCompiler != null) {
        String wamrc = aotCompiler.get(0);
        there = wamrc.contains("/") ? Files.isExecutable(Path.of(wamrc)) : Tools.onPath(wamrc);
      }
      return there ? null : "not found (" + howToGet + ")";
    }

    public Measurement run(Bench bench, Path wasm, int iterations, int repeats) throws Exception {
      if (bench != Bench.FFT) {
        return Measurement.missing(label, bench, Measurement.Outcome.NOT_APPLICABLE,
            "n/a: its command line cannot provide the gpio_toggle import");
      }
      Map<String, Double> phases = new LinkedHashMap<>();
      Path module = wasm;
      if (aotCompiler != null) {
        module = Files.createTempDirectory("wasmfleet-aot").resolve("fft_bench.aot");
        List<String> wamrc = new ArrayList<>(aotCompiler);
        wamrc.addAll(List.of("-o", module.toString(), wasm.toString()));
        long t0 = System.nanoTime();
        Tools.run(wamrc, 600);
        phases.put("compile", (System.nanoTime() - t0) / 1e6);
      }
      int n = Math.max(1, iterations);
      double[] ns = new double[repeats];
      double[] startup = new double[repeats];
      Long checksum = null;
      for (int r = 0; r < repeats; r++) {
        Timed once = timed(module, n);
        Timed twice = timed(module, 2 * n);
        ns[r] = Math.max(0, twice.nanos() - once.nanos()) / n;
        startup[r] = (once.nanos() - ns[r] * n) / 1e6;
        checksum = twice.result();
      }
      phases.put("start + load", Stats.median(startup));
      return new Measurement(label, bench, Measurement.Outcome.OK, null, ns, checksum, phases);
    }

    private record Timed(double nanos, Long result) {}

    private Timed timed(Path module, int iterations) throws Exception {
      List<String> cmd = new ArrayList<>();
      for (String part : command) {
        cmd.add(part.replace("{module}", module.toString()).replace("{n}", Integer.toString(iterations)));
      }
      long start = System.nanoTime();
      String out = Tools.run(cmd, 1800);
      return new Timed(System.nanoTime() - start, Tools.lastInteger(out));
    }
  }

  /** Running programs and reading what they print. */
  final class Tools {

    private Tools() {}

    static boolean onPath(String exe) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, exe))) {
          return true;
        }
      }
      return false;
    }

    /** Runs {@code cmd}; returns its stdout; fails with its stderr when it exits non-zero. */
    static String run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
      Path err = Files.createTempFile("wasmfleet-bench", ".err");
      try {
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IOException(String.join(" ", cmd) + ": no end within " + timeoutSeconds + " s");
        }
        if (p.exitValue() != 0) {
          throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": "
              + Files.readString(err).strip());
        }
        return out;
      } finally {
        Files.deleteIfExists(err);
      }
    }

    static String firstLine(List<String> cmd) {
      try {
        return run(cmd, 30).lines().findFirst().orElse("?").strip();
      } catch (IOException | InterruptedException e) {
        return "?";
      }
    }

    /** The last integer a runtime printed as a result ("Result: 123", "0x7b:i32"), as unsigned 32 bits. */
    static Long lastInteger(String out) {
      Matcher m = Pattern.compile("(0x[0-9a-fA-F]+|-?\\d+)").matcher(out.replaceAll(":[if](32|64)", ""));
      String last = null;
      while (m.find()) {
        last = m.group(1);
      }
      if (last == null) {
        return null;
      }
      long v = last.startsWith("0x") ? Long.parseLong(last.substring(2), 16) : Long.parseLong(last);
      return v & 0xffffffffL;
    }
  }
}
