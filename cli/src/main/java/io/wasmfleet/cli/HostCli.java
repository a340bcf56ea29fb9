package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.hostapi.HostApiClient.Response;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/host}: the host CLI. Speaks host API v1 (v2 for boards and logs) to any gateway
 * node, prints {@code e2e_latency_ms} (request sent to answer received) and a readable answer,
 * or with {@code --json} the gateway's JSON. Exit 0 when ok, 1 when the board or gateway
 * refused (or cannot be reached), 2 on a usage error.
 */
public final class HostCli {

  static final String VERSION = "wasmfleet host 0.1.0";

  final String gwHost;
  final int gwPort;
  final String device;
  final boolean json;
  final double timeoutSeconds;

  /** The global options of a parsed command line. */
  HostCli(Args a) {
    gwHost = a.string("--gw-host");
    gwPort = a.integer("--gw-port");
    device = a.string("--device");
    json = a.flag("--json");
    timeoutSeconds = a.decimal("--timeout");
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out);
    PrintWriter err = new PrintWriter(System.err);
    boolean training = Boolean.getBoolean("wasmfleet.host.train");
    int code = run(training ? trainingLine(args) : args, out, err);
    out.flush();
    err.flush();
    if (training || Boolean.getBoolean("wasmfleet.host.archive-at-exit")) {
      System.exit(code); // a run that makes bin/host's start-up cache, which the JVM writes at exit
    }
    // Nothing is left to do at exit (output flushed, no shutdown hooks): halting skips about
    // 8 ms of JVM teardown, a tenth of a status request's whole run.
    Runtime.getRuntime().halt(code);
  }

  /**
   * What bin/host's start-up cache is trained on, in the background on the first run: the user's
   * gateway (and board) from {@code argv}, asked something that changes nothing: the board's
   * status, or without a board the board list. The cache then holds what a request really loads.
   */
  static String[] trainingLine(String[] argv) {
    Command root = command();
    List<String> line = new ArrayList<>();
    boolean device = false;
    for (int i = 0; i < argv.length; i++) {
      int eq = argv[i].indexOf('=');
      Command.Option o = root.option(eq > 0 ? argv[i].substring(0, eq) : argv[i]);
      if (o == null || o.isFlag()) {
        continue;
      }
      line.add(argv[i]);
      if (eq < 0 && i + 1 < argv.length) {
        line.add(argv[++i]);
      }
      device |= o.name().equals("--device");
    }
    line.add(device ? "status" : "boards");
    return line.toArray(String[]::new);
  }

  /** Runs one command line; the exit status. */
  static int run(String[] args, PrintWriter out, PrintWriter err) {
    return command().execute(args, out, err, VERSION);
  }

  /** The whole command tree. */
  static Command command() {
    return new Command("host", "Deploy, start and stop WebAssembly modules on STM32 boards through a gateway.")
        .option("--gw-host", "H", "localhost", "Gateway host (default: %s).")
        .option("--gw-port", "P", "9000", "Gateway port (default: %s).")
        .option("--device", "D", "The board, by its logical name (e.g. nucleo_f746).")
        .flag("--json", "Print the gateway's JSON (indented) on stdout; e2e_latency_ms goes to stderr.")
        .option("--timeout", "S", "180", "Seconds to wait for the gateway's answer (default: %s).")
        .sub(StatusCommand.command())
        .sub(DeployCommand.command())
        .sub(BuildAndDeployCommand.command())
        .sub(StartCommand.command())
        .sub(StopCommand.command())
        .sub(LogsCommand.command())
        .sub(BoardsCommand.command())
        .sub(FleetCommand.command())
        .sub(CampaignCommand.command())
        .sub(KeysCommand.command())
        .sub(new Command("generate-completion", "Print a bash/zsh completion script for host.")
            .footer("", "Example:", "  source <(host generate-completion)")
            .runs(a -> {
              a.out.print(Help.completion(a.command.root()));
              return 0;
            }))
        .footer(
            "",
            "Examples:",
            "  host --device nucleo_f746 status",
            "  host --device nucleo_f746 build-and-deploy --module-id math_ops --source wasm/c/math_ops.c",
            "  host --device nucleo_f746 start --module-id math_ops --func-name add --func-args \"a=10,b=15\" --wait-result",
            "  host boards",
            "  host campaign run --select all --bench fft,toggle --modes interp,aot",
            "  source <(host generate-completion)      # bash/zsh completion",
            "",
            "Exit status: 0 ok, 1 refused by the board or the gateway (or gateway unreachable), 2 usage error.");
  }

  /** Made on first use: only --json and the campaign tables need a full ObjectMapper. */
  static ObjectMapper json() {
    return Mapper.INSTANCE;
  }

  private static final class Mapper {
    static final ObjectMapper INSTANCE = new ObjectMapper();
  }

  HostApiClient client() {
    return new HostApiClient(gwHost, gwPort, Duration.ofMillis((long) (timeoutSeconds * 1000)));
  }

  String requireDevice(Args a) {
    if (device == null || device.isBlank()) {
      throw a.usage("--device D is required for '" + a.command.name
          + "' (e.g. host --device nucleo_f746 " + a.command.name + " ...; 'host boards' lists the boards)");
    }
    return device;
  }

  /** One request: sends it, prints the latency and the answer, returns the exit code. */
  int call(Args a, ObjectNode request, byte[] blob, String uploadLabel, Printer printer) {
    PrintWriter out = a.out;
    PrintWriter err = a.err;
    Response r;
    try (UploadProgress progress = UploadProgress.start(err, uploadLabel, blob, !json)) {
      r = client().send(request, blob, progress);
    } catch (IOException e) {
      return failedToAsk(e, err);
    }
    String latency = String.format(Locale.ROOT, "e2e_latency_ms=%.2f", r.e2eMillis());
    if (json) {
      err.println(latency);
      try {
        out.println(json().writerWithDefaultPrettyPrinter().writeValueAsString(r.json()));
      } catch (IOException e) {
        out.println(r.json());
      }
    } else {
      out.println(latency);
      if (r.ok()) {
        printer.print(r.json(), out);
      } else {
        printError(r.json(), err);
      }
    }
    out.flush();
    err.flush();
    return r.ok() ? 0 : 1;
  }

  /** The request never got an answer: says why and where we looked; exit status 1. */
  int failedToAsk(IOException e, PrintWriter err) {
    if (e instanceof ConnectException) {
      err.printf("host: cannot reach the gateway at %s:%d (%s); is bin/gateway running? (--gw-host, --gw-port)%n",
          gwHost, gwPort, e.getMessage());
    } else {
      err.println("host: " + e.getMessage());
    }
    err.flush();
    return 1;
  }

  /** How a command shows an ok answer. */
  interface Printer {
    void print(JsonNode answer, PrintWriter out);
  }

  /** The detail, then any other fields the gateway added (decision, victim, paths, note). */
  static void printOk(JsonNode answer, PrintWriter out) {
    out.println("ok: " + answer.path("detail").asText());
    answer.fields().forEachRemaining(f -> {
      if (!f.getKey().equals("ok") && !f.getKey().equals("detail")) {
        out.println("  " + f.getKey() + ": " + (f.getValue().isValueNode() ? f.getValue().asText() : f.getValue()));
      }
    });
  }

  static void printError(JsonNode answer, PrintWriter err) {
    err.println("error: " + answer.path("error").asText());
    answer.fields().forEachRemaining(f -> {
      String k = f.getKey();
      if (k.equals("ok") || k.equals("error")) {
        return;
      }
      String v = f.getValue().asText();
      if (k.equals("stderr") || k.equals("stdout")) {
        if (!v.isBlank()) {
          err.println("  " + k + ":");
          v.lines().forEach(line -> err.println("    " + line));
        }
      } else {
        err.println("  " + k + ": " + v);
      }
    });
  }
}
