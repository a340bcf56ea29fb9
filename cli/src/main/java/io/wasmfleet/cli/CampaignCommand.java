package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.benchmarks.campaign.CampaignCompare;
import io.wasmfleet.benchmarks.campaign.CampaignReport;
import io.wasmfleet.benchmarks.campaign.CampaignTables;
import io.wasmfleet.benchmarks.campaign.SeedReference;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.protocol.Crc32;
import io.wasmfleet.wasm.BuiltModules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code host campaign ...}: benchmark campaigns across boards, owned by the gateway cluster. */
@Command(mixinStandardHelpOptions = true, name = "campaign",
    description = "Run benchmark campaigns (FFT, GPIO toggle; interpreter vs AOT) on many boards; list, show,"
        + " report and compare them.",
    subcommands = {CampaignCommand.Run.class, CampaignCommand.Watch.class, CampaignCommand.ListCampaigns.class,
        CampaignCommand.Show.class, CampaignCommand.Report.class, CampaignCommand.Compare.class},
    footer = {"", "Examples:",
        "  host campaign run --select all --bench fft,toggle --modes interp,aot --iterations 100 --repeats 5",
        "  host campaign list",
        "  host campaign show c20261121-101500-1a2b --format csv",
        "  host campaign report c20261121-101500-1a2b --out build/campaigns/first",
        "  host campaign compare c20261121-101500-1a2b c20261121-113000-3c4d",
        "  host campaign compare c20261121-101500-1a2b --reference seed"})
final class CampaignCommand {

  @ParentCommand
  HostCli host;

  /** What every campaign subcommand has. */
  abstract static class Sub implements Callable<Integer> {
    @ParentCommand
    CampaignCommand campaign;

    @Spec
    CommandLine.Model.CommandSpec spec;

    HostCli host() {
      return campaign.host;
    }

    /** The stored campaign {@code id} as the seed's tables, or null after saying why not. */
    CampaignReport report(String id) {
      JsonNode stored = fetch(host(), id, spec.commandLine().getErr());
      return stored == null ? null : new CampaignReport(CampaignTables.of(stored, SeedReference.load()));
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "run",
      description = "Start a campaign: for every selected board x bench x mode, deploy, one warm-up run, the"
          + " timed repeats; results stored by the gateway cluster. Follows its progress unless --detach.")
  static final class Run extends Sub {
    @Option(names = "--select", required = true, paramLabel = "all|board=ID[,ID]|tag=T")
    String select;

    @Option(names = "--bench", defaultValue = "fft,toggle", paramLabel = "fft,toggle")
    String bench;

    @Option(names = "--modes", defaultValue = "interp,aot", paramLabel = "interp,aot")
    String modes;

    @Option(names = "--iterations", defaultValue = "100", paramLabel = "N",
        description = "FFTs per run; toggles per run in units of 10,000 (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--repeats", defaultValue = "5", paramLabel = "R", description = "Timed runs per cell (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--name", paramLabel = "N")
    String name;

    @Option(names = "--parallel", defaultValue = "8", paramLabel = "K",
        description = "Real boards measured at once; simulated boards share the host's CPU and run one at a time.")
    int parallel;

    @Option(names = "--result-timeout", defaultValue = "600", paramLabel = "S",
        description = "Seconds one run may take on a board (default: ${DEFAULT-VALUE}).")
    int resultTimeout;

    @Option(names = "--detach", description = "Return once the campaign is stored; it runs on without this client.")
    boolean detach;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write the report (md, csv, json, png) there.")
    Path out;

    @Override
    public Integer call() throws IOException {
      ObjectNode r = request("run");
      r.put("select", select);
      r.put("bench", bench);
      r.put("modes", modes);
      r.put("iterations", iterations);
      r.put("repeats", repeats);
      if (name != null) {
        r.put("name", name);
      }
      r.put("parallel", parallel);
      r.put("result_timeout", resultTimeout);
      r.put("follow", !detach);
      ArrayNode modules = r.putArray("modules");
      ByteArrayOutputStream blob = new ByteArrayOutputStream();
      for (String b : bench.split(",")) {
        String benchName = b.strip();
        String module = benchName.equals("fft") ? "fft_bench" : benchName.equals("toggle") ? "toggle_forever" : null;
        if (module == null) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--bench takes fft and toggle, got '" + b + "'");
        }
        add(modules, blob, benchName, "wasm", module + ".wasm", Files.readAllBytes(BuiltModules.wasm(module)));
        byte[] c = nativeSource(benchName);
        if (c != null) {
          add(modules, blob, benchName, "c", benchName.equals("fft") ? "fft_bench.c" : "toggle_native.c", c);
        }
      }
      HostCli h = host();
      PrintWriter o = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Progress progress = new Progress(err, UploadProgress.stderrIsTerminal() && !h.json);
      HostApiClient.Response answer;
      try {
        answer = h.client().sendStreaming(r, blob.toByteArray(), HostApiClient.Progress.NONE, e -> {
          if (h.json) {
            o.println(e);
            o.flush();
          } else {
            progress.event(e, o);
          }
        });
      } catch (IOException e) {
        return h.failedToAsk(e, err);
      }
      progress.end();
      if (h.json) {
        o.println(answer.json());
        o.flush();
        return answer.ok() ? 0 : 1;
      }
      if (!answer.ok()) {
        HostCli.printError(answer.json(), err);
        err.flush();
        return 1;
      }
      o.println(answer.json().path("detail").asText());
      for (JsonNode f : answer.json().path("failures")) {
        o.printf("  FAILED %s %s %s: %s%n", f.path("board").asText(), f.path("bench").asText(),
            f.path("mode").asText(), f.path("error").asText());
      }
      if (detach) {
        o.println("follow it with: host campaign watch " + answer.json().path("campaign").asText());
        o.flush();
        return 0;
      }
      JsonNode campaign = fetch(h, answer.json().path("campaign").asText(), err);
      if (campaign == null) {
        return 1;
      }
      CampaignReport report = new CampaignReport(CampaignTables.of(campaign, SeedReference.load()));
      o.println();
      o.print(report.markdown());
      if (out != null) {
        for (Path p : report.writeTo(out)) {
          o.println("wrote " + p);
        }
      }
      o.flush();
      return answer.json().path("failed").asInt() == 0 ? 0 : 1;
    }

    private static void add(ArrayNode modules, ByteArrayOutputStream blob, String bench, String kind, String name,
        byte[] bytes) {
      ObjectNode m = modules.addObject();
      m.put("bench", bench);
      m.put("kind", kind);
      m.put("name", name);
      m.put("size", bytes.length);
      m.put("crc32", Crc32.hex(Crc32.of(bytes)));
      blob.writeBytes(bytes);
    }

    /**
     * The C the host baseline is built from, one self-contained file: fft_bench.c with its
     * generated twiddle table put in place of the #include; the toggle's function-pointer loop.
     */
    private byte[] nativeSource(String bench) throws IOException {
      Path root = BuiltModules.repositoryRoot();
      if (bench.equals("toggle")) {
        return Files.readAllBytes(root.resolve("benchmarks/native/toggle_native.c"));
      }
      String fft = Files.readString(BuiltModules.source("fft_bench.c"));
      String twiddles = Files.readString(BuiltModules.directory().resolve("gen/fft_twiddles.h"));
      return fft.replace("#include \"fft_twiddles.h\"", twiddles).getBytes(StandardCharsets.UTF_8);
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "watch", description = "Follow a campaign's progress to its end.")
  static final class Watch extends Sub {
    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
      ObjectNode r = request("watch");
      r.put("id", id);
      HostCli h = host();
      PrintWriter o = spec.commandLine().getOut();
      Progress progress = new Progress(spec.commandLine().getErr(), UploadProgress.stderrIsTerminal() && !h.json);
      HostApiClient.Response answer;
      try {
        answer = h.client().sendStreaming(r, null, HostApiClient.Progress.NONE, e -> progress.event(e, o));
      } catch (IOException e) {
        return h.failedToAsk(e, spec.commandLine().getErr());
      }
      progress.end();
      return print(h, answer, spec.commandLine(), (a, w) -> w.println(a.path("detail").asText()));
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "list", description = "Every stored campaign, newest first.")
  static final class ListCampaigns extends Sub {
    @Override
    public Integer call() {
      HostCli h = host();
      return h.call(spec.commandLine(), request("list"), null, null, (a, o) -> {
        o.printf("%-22s %-20s %-8s %6s %6s %6s  %-8s %s%n", "ID", "NAME", "STATE", "CELLS", "FAILED", "RUNS", "NODE",
            "CREATED");
        for (JsonNode c : a.path("campaigns")) {
          o.printf("%-22s %-20s %-8s %6d %6d %6d  %-8s %s%n", c.path("id").asText(), c.path("name").asText(),
              c.path("state").asText(), c.path("cells").asInt(), c.path("failed").asInt(), c.path("runs").asInt(),
              c.path("node").asText("-"), Instant.ofEpochMilli(c.path("created_ms").asLong()));
        }
      });
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "show", description = "A campaign's tables.")
  static final class Show extends Sub {
    @Parameters(paramLabel = "ID")
    String id;

    @Option(names = "--format", defaultValue = "md", paramLabel = "md|csv|json")
    String format;

    @Override
    public Integer call() throws IOException {
      if (!java.util.List.of("md", "csv", "json").contains(format)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--format takes md, csv or json, got '" + format + "'");
      }
      CampaignReport report = report(id);
      if (report == null) {
        return 1;
      }
      PrintWriter o = spec.commandLine().getOut();
      o.print(switch (format) {
        case "csv" -> report.csv();
        case "json" -> HostCli.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report.json()) + "\n";
        default -> report.markdown();
      });
      o.flush();
      return 0;
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "report",
      description = "Write a campaign's tables (campaign.md), cells.csv, runs.csv, campaign.json and PNG plots.")
  static final class Report extends Sub {
    @Parameters(paramLabel = "ID")
    String id;

    @Option(names = "--out", paramLabel = "DIR", description = "Default: build/campaigns/ID.")
    Path out;

    @Override
    public Integer call() throws IOException {
      CampaignReport report = report(id);
      if (report == null) {
        return 1;
      }
      Path dir = out != null ? out : Paths.get("build", "campaigns", id);
      PrintWriter o = spec.commandLine().getOut();
      for (Path p : report.writeTo(dir)) {
        o.println("wrote " + p);
      }
      o.flush();
      return 0;
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "compare",
      description = "Two campaigns row by row (ratio B/A with a 95% interval and a verdict), or one against the"
          + " seed's published figures (--reference seed).")
  static final class Compare extends Sub {
    @Parameters(index = "0", paramLabel = "ID1")
    String a;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ID2")
    String b;

    @Option(names = "--reference", paramLabel = "seed")
    String reference;

    @Override
    public Integer call() {
      if ((b == null) == (reference == null)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "give ID2, or --reference seed");
      }
      if (reference != null && !reference.equals("seed")) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--reference takes seed, got '" + reference + "'");
      }
      PrintWriter err = spec.commandLine().getErr();
      SeedReference seed = SeedReference.load();
      JsonNode ca = fetch(host(), a, err);
      JsonNode cb = b == null ? null : fetch(host(), b, err);
      if (ca == null || b != null && cb == null) {
        return 1;
      }
      CampaignTables ta = CampaignTables.of(ca, seed);
      String md = b != null
          ? CampaignCompare.markdown("Campaign " + b + " (B) against " + a + " (A)", "A", "B",
              CampaignCompare.between(ta, CampaignTables.of(cb, seed)))
          : CampaignCompare.markdown("Campaign " + a + " against the seed's published figures", "seed", "ours",
              CampaignCompare.withSeed(ta, seed));
      spec.commandLine().getOut().print(md);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  static ObjectNode request(String op) {
    ObjectNode r = HostApiClient.request("campaign", null);
    r.put("v", 2);
    r.put("op", op);
    return r;
  }

  /** The stored campaign, or null after saying why. */
  static JsonNode fetch(HostCli h, String id, PrintWriter err) {
    ObjectNode r = request("show");
    r.put("id", id);
    try {
      HostApiClient.Response answer = h.client().send(r, null);
      if (!answer.ok()) {
        HostCli.printError(answer.json(), err);
        err.flush();
        return null;
      }
      return answer.json().path("campaign");
    } catch (IOException e) {
      h.failedToAsk(e, err);
      return null;
    }
  }

  private static int print(HostCli h, HostApiClient.Response answer, CommandLine cmd, HostCli.Printer printer) {
    if (h.json) {
      cmd.getOut().println(answer.json());
    } else if (answer.ok()) {
      printer.print(answer.json(), cmd.getOut());
    } else {
      HostCli.printError(answer.json(), cmd.getErr());
    }
    cmd.getOut().flush();
    cmd.getErr().flush();
    return answer.ok() ? 0 : 1;
  }

  /** A progress bar (board x run) on a terminal; one line per finished run otherwise. */
  static final class Progress {
    private final PrintWriter err;
    private final boolean bar;
    private boolean drawn;

    Progress(PrintWriter err, boolean bar) {
      this.err = err;
      this.bar = bar;
    }

    void event(JsonNode e, PrintWriter out) {
      String kind = e.path("event").asText();
      int done = e.path("done").asInt();
      int of = e.path("of").asInt();
      switch (kind) {
        case "campaign" -> line(out, String.format(Locale.ROOT, "campaign %s \"%s\": %d cells, %d runs planned",
            e.path("campaign").asText(), e.path("name").asText(), e.path("cells").asInt(), e.path("runs_planned").asInt()));
        case "run" -> {
          double perIteration = e.path("elapsed_us").asDouble()
              / Math.max(1, e.path("toggles").asLong(e.path("count").asLong()));
          boolean fft = e.path("bench").asText().equals("fft");
          String what = String.format(Locale.ROOT, "%s %s %s #%d: %s", e.path("board").asText(),
              e.path("bench").asText(), e.path("mode").asText(), e.path("repeat").asInt(),
              fft ? String.format(Locale.ROOT, "%.1f us per FFT", perIteration)
                  : String.format(Locale.ROOT, "%.1f ns per toggle", perIteration * 1000));
          if (bar) {
            draw(done, of, what);
          } else {
            line(out, String.format(Locale.ROOT, "[%d/%d] %s", done, of, what));
          }
        }
        case "cell" -> {
          if (e.path("state").asText().equals("FAILED")) {
            line(out, String.format(Locale.ROOT, "FAILED %s %s %s: %s", e.path("board").asText(),
                e.path("bench").asText(), e.path("mode").asText(), e.path("error").asText()));
          }
        }
        case "progress" -> {
          if (bar) {
            draw(done, of, e.path("state").asText() + " on " + e.path("node").asText());
          } else {
            line(out, String.format(Locale.ROOT, "[%d/%d] %s on %s", done, of, e.path("state").asText(),
                e.path("node").asText()));
          }
        }
        default -> line(out, e.toString());
      }
    }

    private void draw(int done, int of, String what) {
      int width = 30;
      int filled = of == 0 ? 0 : (int) Math.round(width * (double) done / of);
      err.printf("\r[%s%s] %d/%d %-60.60s", "#".repeat(filled), ".".repeat(width - filled), done, of, what);
      err.flush();
      drawn = true;
    }

    private void line(PrintWriter out, String text) {
      end();
      out.println(text);
      out.flush();
    }

    void end() {
      if (drawn) {
        err.println();
        err.flush();
        drawn = false;
      }
    }
  }
}
