package io.wasmfleet.benchmarks.host;

import io.wasmfleet.wasm.BuiltModules;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/bench host}: the seed's host tables from one command. The same fft_bench.c (and
 * toggle_forever.c) in every runtime this machine has; a runtime that is absent is a row saying
 * how to get it.
 */
@Command(name = "bench host", mixinStandardHelpOptions = true,
    description = "Runs the FFT and toggle benchmarks in every runtime it finds on this host and writes"
        + " DIR/host-<bench>.md, .csv, .json and .png.",
    footer = {"", "Runtimes: native, chicory-interp, chicory-compiler, node, wasm3, and WAMR (iwasm on PATH,"
        + " or --iwasm PATH:LABEL; AOT with wamrc on PATH or --wamrc PATH).",
        "Examples:",
        "  bin/bench host",
        "  bin/bench host --bench fft --iterations 100 --repeats 10 --cpu-ghz 3.7",
        "  bin/bench host --iwasm ~/wamr/classic/iwasm:classic --iwasm ~/wamr/fast/iwasm:fast --wamrc ~/wamr/wamrc"})
public final class HostCampaign implements Callable<Integer> {

  @Option(names = "--bench", split = ",", paramLabel = "fft,toggle", description = "Benchmarks (default: both).")
  List<String> benches = List.of("fft", "toggle");

  @Option(names = "--iterations", description = "FFTs per repeat (toggle: x 10,000 calls). Default 100.")
  int iterations = 100;

  @Option(names = "--repeats", description = "Timed repeats per runtime, after one warm-up. Default 10.")
  int repeats = 10;

  @Option(names = "--runtimes", split = ",", paramLabel = "LIST", description = "Only these runtimes (keys as in the footer).")
  List<String> only;

  @Option(names = "--out", paramLabel = "DIR", description = "Where the reports go (default build/bench/host).")
  Path out;

  @Option(names = "--cpu-ghz", paramLabel = "F", description = "The CPU clock for cycles (default: read from /proc/cpuinfo).")
  Double cpuGhz;

  @Option(names = "--iwasm", paramLabel = "PATH[:LABEL]", description = "A WAMR iwasm build (repeatable), e.g. PATH:classic.")
  List<String> iwasm = new ArrayList<>();

  @Option(names = "--wamrc", paramLabel = "PATH", description = "WAMR's AOT compiler (default: wamrc on PATH).")
  String wamrc;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new HostCampaign());
    cmd.setExecutionExceptionHandler((e, c, parsed) -> {
      c.getErr().println("bench host: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
      if (!(e instanceof IllegalArgumentException)) {
        e.printStackTrace(c.getErr());
      }
      return e instanceof IllegalArgumentException ? 2 : 1;
    });
    return cmd;
  }

  /** Every runtime the campaign knows, by key, in table order. */
  Map<String, HostRuntime> runtimes(Path repo) {
    Map<String, HostRuntime> all = new LinkedHashMap<>();
    Path work = repo.resolve("build/bench/work"); // the native programs, never beside the reports
    all.put("native", new HostRuntime.NativeC(work, repo, BuiltModules.directory().resolve("gen")));
    all.put("chicory-interp", new HostRuntime.Chicory(false));
    all.put("chicory-compiler", new HostRuntime.Chicory(true));
    all.put("node", new HostRuntime.Node(repo.resolve("benchmarks/runners/node-runner.mjs")));
    all.put("wasm3", new HostRuntime.CommandLine("wasm3", "wasm3 (interpreter)",
        List.of("wasm3", "--func", "app_main", "{module}", "{n}"),
        "wasm3 is not packaged for Debian: build it from its source (github.com/wasm3/wasm3) and put 'wasm3' on PATH",
        null));
    String wamrHow = "build WAMR's product-mini/platforms/linux (cmake -DWAMR_BUILD_FAST_INTERP=0 for the classic"
        + " interpreter, 1 for the fast one), then put iwasm on PATH or pass --iwasm PATH:classic / --iwasm PATH:fast";
    List<String[]> builds = new ArrayList<>();
    for (String spec : iwasm) {
      int colon = spec.lastIndexOf(':');
      builds.add(colon > 0 ? new String[] {spec.substring(0, colon), spec.substring(colon + 1)}
          : new String[] {spec, "interpreter"});
    }
    if (builds.isEmpty() && HostRuntime.Tools.onPath("iwasm")) {
      builds.add(new String[] {"iwasm", "interpreter"});
    }
    if (builds.isEmpty()) {
      builds.add(new String[] {"iwasm", "classic interpreter"});
      builds.add(new String[] {"iwasm", "fast interpreter"});
    }
    for (String[] b : builds) {
      String key = "wamr-" + b[1].split(" ")[0];
      all.put(key, new HostRuntime.CommandLine(key, "WAMR " + b[1] + " (iwasm)",
          List.of(b[0], "-f", "app_main", "{module}", "{n}"), wamrHow, null));
    }
    String compiler = wamrc != null ? wamrc : "wamrc";
    all.put("wamr-aot", new HostRuntime.CommandLine("wamr-aot", "WAMR AOT (wamrc, this CPU)",
        List.of(builds.get(0)[0], "-f", "app_main", "{module}", "{n}"),
        "needs WAMR's wamrc (wamr-compiler, built with LLVM) and an iwasm built with AOT support; pass --wamrc PATH"
            + " and --iwasm PATH, or put both on PATH", List.of(compiler)));
    return all;
  }

  private Path outDir(Path repo) {
    return out != null ? out : repo.resolve("build/bench/host");
  }

  @Override
  public Integer call() throws Exception {
    if (iterations < 1 || repeats < 1) {
      throw new IllegalArgumentException("--iterations and --repeats must be at least 1");
    }
    List<Bench> selected = new ArrayList<>();
    for (String b : benches) {
      selected.add(Bench.parse(b));
    }
    Path repo = BuiltModules.repositoryRoot();
    Map<String, HostRuntime> all = runtimes(repo);
    List<HostRuntime> chosen = new ArrayList<>();
    if (only == null) {
      chosen.addAll(all.values());
    } else {
      for (String key : only) {
        HostRuntime r = all.get(key);
        if (r == null) {
          throw new IllegalArgumentException("unknown runtime '" + key + "'; known: " + String.join(", ", all.keySet()));
        }
        chosen.add(r);
      }
    }
    Machine machine = Machine.detect(cpuGhz);
    PrintWriter o = spec.commandLine().getOut();
    Path dir = outDir(repo);
    for (Bench bench : selected) {
      List<Measurement> rows = measure(bench, chosen, o);
      HostReport report = new HostReport(bench, machine, iterations, repeats, rows);
      o.println();
      o.print(report.writeTo(dir));
      o.println();
      o.println("written: " + dir.resolve("host-" + bench.key()) + ".{md,csv,json,png}");
      o.flush();
    }
    return 0;
  }

  /** Every chosen runtime for one benchmark; FFT rows whose checksum differs from native C's are marked wrong. */
  List<Measurement> measure(Bench bench, List<HostRuntime> chosen, PrintWriter progress) {
    List<Measurement> rows = new ArrayList<>();
    Path wasm = BuiltModules.wasm(bench.module);
    for (HostRuntime r : chosen) {
      String missing = r.missing();
      Measurement m;
      if (missing != null) {
        m = Measurement.missing(r.label(), bench, Measurement.Outcome.NOT_FOUND, missing);
      } else {
        progress.printf("%s: %s ...%n", bench.key(), r.label());
        progress.flush();
        try {
          m = r.run(bench, wasm, iterations, repeats);
        } catch (Exception e) {
          m = Measurement.missing(r.label(), bench, Measurement.Outcome.FAILED, "failed: " + e.getMessage());
        }
      }
      rows.add(m);
    }
    Long expected = rows.stream().filter(m -> m.runtime().startsWith("Native C") && m.measured()
        && m.checksum() != null).map(Measurement::checksum).findFirst().orElse(null);
    if (bench == Bench.FFT && expected != null) {
      rows.replaceAll(m -> m.measured() && !expected.equals(m.checksum())
          ? m.withOutcome(Measurement.Outcome.WRONG, "checksum " + m.checksum() + " differs from native C's " + expected)
          : m);
    }
    return rows;
  }
}
