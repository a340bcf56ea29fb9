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

/** {@code host campaign ...}: benchmark campaigns across boards, owned by the gateway cluster. */
final class CampaignCommand {

  private CampaignCommand() {}

  static Command command() {
    return new Command("campaign", "Run benchmark campaigns (FFT, GPIO toggle; interpreter vs AOT) on many boards; list,"
        + " show, report and compare them.")
        .sub(new Command("run", "Start a campaign: for every selected board x bench x mode, deploy, one warm-up run, the"
                + " timed repeats; results stored by the gateway cluster. Follows its progress unless --detach.")
            .required("--select", "all|board=ID[,ID]|tag=T", "Which boards.")
            .option("--bench", "fft,toggle", "fft,toggle", "Benchmarks (default: %s).")
            .option("--modes", "interp,aot", "interp,aot", "Modes (default: %s).")
            .option("--iterations", "N", "100",
                "FFTs per run; toggles per run in units of 10,000 (default: %s).")
            .option("--repeats", "R", "5", "Timed runs per cell (default: %s).")
            .option("--name", "N", "A name to find the campaign by.")
            .option("--parallel", "K", "8",
                "Real boards measured at once; simulated boards share the host's CPU and run one at a time.")
            .option("--result-timeout", "S", "600", "Seconds one run may take on a board (default: %s).")
            .flag("--detach", "Return once the campaign is stored; it runs on without this client.")
            .option("--out", "DIR", "Also write the report (md, csv, json, png) there.")
            .runs(CampaignCommand::run))
        .sub(new Command("watch", "Follow a campaign's progress to its end.").positional("ID", true)
            .runs(CampaignCommand::watch))
        .sub(new Command("list", "Every stored campaign, newest first.").runs(CampaignCommand::list))
        .sub(new Command("show", "A campaign's tables.").positional("ID", true)
            .option("--format", "md|csv|json", "md", "Output format (default: %s).")
            .runs(CampaignCommand::show))
        .sub(new Command("report", "Write a campaign's tables (campaign.md), cells.csv, runs.csv, campaign.json and PNG"
                + " plots.").positional("ID", true)
            .option("--out", "DIR", "Default: build/campaigns/ID.")
            .runs(CampaignCommand::report))
        .sub(new Command("compare", "Two campaigns row by row (ratio B/A with a 95% interval and a verdict), or one"
                + " against the seed's published figures (--reference seed).")
            .positional("ID1", true).positional("ID2", false)
            .option("--reference", "seed", "Compare with the seed's published figures.")
            .runs(CampaignCommand::compare))
        .footer("", "Examples:",
            "  host campaign run --select all --bench fft,toggle --modes interp,aot --iterations 100 --repeats 5",
            "  host campaign list",
            "  host campaign show c20261121-101500-1a2b --format csv",
            "  host campaign report c20261121-101500-1a2b --out build/campaigns/first",
            "  host campaign compare c20261121-101500-1a2b c20261121-113000-3c4d",
            "  host campaign compare c20261121-101500-1a2b --reference seed");
  }

  /** The stored campaign {@code id} as the seed's tables, or null after saying why not. */
  private static CampaignReport report(HostCli host, String id, PrintWriter err) {
    JsonNode stored = fetch(host, id, err);
    return stored == null ? null : new CampaignReport(CampaignTables.of(stored, SeedReference.load()));
  }

  private static int run(Args a) throws IOException {
    String bench = a.string("--bench");
    boolean detach = a.flag("--detach");
    ObjectNode r = request("run");
    r.put("select", a.string("--select"));
    r.put("bench", bench);
    r.put("modes", a.string("--modes"));
    r.put("iterations", a.integer("--iterations"));
    r.put("repeats", a.integer("--repeats"));
    if (a.string("--name") != null) {
      r.put("name", a.string("--name"));
    }
    r.put("parallel", a.integer("--parallel", 1, 256)); // the host API's bounds
    r.put("result_timeout", a.integer("--result-timeout"));
    r.put("follow", !detach);
    ArrayNode modules = r.putArray("modules");
    ByteArrayOutputStream blob = new ByteArrayOutputStream();
    for (String b : bench.split(",")) {
      String benchName = b.strip();
      String module = benchName.equals("fft") ? "fft_bench" : benchName.equals("toggle") ? "toggle_forever" : null;
      if (module == null) {
        throw a.usage("--bench takes fft and toggle, got '" + b + "'");
      }
      add(modules, blob, benchName, "wasm", module + ".wasm", Files.readAllBytes(BuiltModules.wasm(module)));
      byte[] c = nativeSource(benchName);
      if (c != null) {
        add(modules, blob, benchName, "c", benchName.equals("fft") ? "fft_bench.c" : "toggle_native.c", c);
      }
    }
    HostCli h = new HostCli(a);
    PrintWriter o = a.out;
    PrintWriter err = a.err;
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
    if (a.path("--out") != null) {
      for (Path p : report.writeTo(a.path("--out"))) {
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
  private static byte[] nativeSource(String bench) throws IOException {
    Path root = BuiltModules.repositoryRoot();
    if (bench.equals("toggle")) {
      return Files.readAllBytes(root.resolve("benchmarks/native/toggle_native.c"));
    }
    String fft = Files.readString(BuiltModules.source("fft_bench.c"));
    String twiddles = Files.readString(BuiltModules.directory().resolve("gen/fft_twiddles.h"));
    return fft.replace("#include \"fft_twiddles.h\"", twiddles).getBytes(StandardCharsets.UTF_8);
  }

  private static int watch(Args a) {
    ObjectNode r = request("watch");
    r.put("id", a.word(0));
    HostCli h = new HostCli(a);
    Progress progress = new Progress(a.err, UploadProgress.stderrIsTerminal() && !h.json);
    HostApiClient.Response answer;
    try {
      answer = h.client().sendStreaming(r, null, HostApiClient.Progress.NONE, e -> progress.event(e, a.out));
    } catch (IOException e) {
      return h.failedToAsk(e, a.err);
    }
    progress.end();
    return print(h, answer, a, (done, w) -> w.println(done.path("detail").asText()));
  }

  private static int list(Args a) {
    return new HostCli(a).call(a, request("list"), null, null, (answer, o) -> {
      o.printf("%-22s %-20s %-8s %6s %6s %6s  %-8s %s%n", "ID", "NAME", "STATE", "CELLS", "FAILED", "RUNS", "NODE",
          "CREATED");
      for (JsonNode c : answer.path("campaigns")) {
        o.printf("%-22s %-20s %-8s %6d %6d %6d  %-8s %s%n", c.path("id").asText(), c.path("name").asText(),
            c.path("state").asText(), c.path("cells").asInt(), c.path("failed").asInt(), c.path("runs").asInt(),
            c.path("node").asText("-"), Instant.ofEpochMilli(c.path("created_ms").asLong()));
      }
    });
  }

  private static int show(Args a) throws IOException {
    String format = a.choice("--format", "md", "csv", "json");
    CampaignReport report = report(new HostCli(a), a.word(0), a.err);
    if (report == null) {
      return 1;
    }
    a.out.print(switch (format) {
      case "csv" -> report.csv();
      case "json" -> HostCli.json().writerWithDefaultPrettyPrinter().writeValueAsString(report.json()) + "\n";
      default -> report.markdown();
    });
    return 0;
  }

  private static int report(Args a) throws IOException {
    String id = a.word(0);
    CampaignReport report = report(new HostCli(a), id, a.err);
    if (report == null) {
      return 1;
    }
    Path dir = a.path("--out") != null ? a.path("--out") : Paths.get("build", "campaigns", id);
    for (Path p : report.writeTo(dir)) {
      a.out.println("wrote " + p);
    }
    return 0;
  }

  private static int compare(Args a) {
    String first = a.word(0);
    String second = a.word(1);
    String reference = a.string("--reference");
    if ((second == null) == (reference == null)) {
      throw a.usage("give ID2, or --reference seed");
    }
    if (reference != null && !reference.equals("seed")) {
      throw a.usage("--reference takes seed, got '" + reference + "'");
    }
    HostCli host = new HostCli(a);
    SeedReference seed = SeedReference.load();
    JsonNode ca = fetch(host, first, a.err);
    JsonNode cb = second == null ? null : fetch(host, second, a.err);
    if (ca == null || second != null && cb == null) {
      return 1;
    }
    CampaignTables ta = CampaignTables.of(ca, seed);
    a.out.print(second != null
        ? CampaignCompare.markdown("Campaign " + second + " (B) against " + first + " (A)", "A", "B",
            CampaignCompare.between(ta, CampaignTables.of(cb, seed)))
        : CampaignCompare.markdown("Campaign " + first + " against the seed's published figures", "seed", "ours",
            CampaignCompare.withSeed(ta, seed)));
    return 0;
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

  private static int print(HostCli h, HostApiClient.Response answer, Args a, HostCli.Printer printer) {
    if (h.json) {
      a.out.println(answer.json());
    } else if (answer.ok()) {
      printer.print(answer.json(), a.out);
    } else {
      HostCli.printError(answer.json(), a.err);
    }
    a.out.flush();
    a.err.flush();
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
