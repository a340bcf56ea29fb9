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
import java.util.Locale;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code bin/host}: the host CLI. Speaks host API v1 (v2 for boards and logs) to any gateway
 * node, prints {@code e2e_latency_ms} (request sent to answer received) and a readable answer,
 * or with {@code --json} the gateway's JSON. Exit 0 when ok, 1 when the board or gateway
 * refused (or cannot be reached), 2 on a usage error.
 */
@Command(
    name = "host",
    mixinStandardHelpOptions = true,
    version = "wasmfleet host 0.1.0",
    description = "Deploy, start and stop WebAssembly modules on STM32 boards through a gateway.",
    subcommands = {
        StatusCommand.class, DeployCommand.class, BuildAndDeployCommand.class, StartCommand.class,
        StopCommand.class, LogsCommand.class, BoardsCommand.class, FleetCommand.class, CampaignCommand.class,
        AutoComplete.GenerateCompletion.class},
    footer = {
        "",
        "Examples:",
        "  host --device nucleo_f746 status",
        "  host --device nucleo_f746 build-and-deploy --module-id math_ops --source wasm/c/math_ops.c",
        "  host --device nucleo_f746 start --module-id math_ops --func-name add --func-args \"a=10,b=15\" --wait-result",
        "  host boards",
        "  host campaign run --select all --bench fft,toggle --modes interp,aot",
        "  source <(host generate-completion)      # bash/zsh completion",
        "",
        "Exit status: 0 ok, 1 refused by the board or the gateway (or gateway unreachable), 2 usage error."})
public final class HostCli {

  @Option(names = "--gw-host", defaultValue = "localhost", scope = ScopeType.INHERIT,
      description = "Gateway host (default: ${DEFAULT-VALUE}).")
  String gwHost;

  @Option(names = "--gw-port", defaultValue = "9000", scope = ScopeType.INHERIT,
      description = "Gateway port (default: ${DEFAULT-VALUE}).")
  int gwPort;

  @Option(names = "--device", scope = ScopeType.INHERIT, paramLabel = "D",
      description = "The board, by its logical name (e.g. nucleo_f746).")
  String device;

  @Option(names = "--json", scope = ScopeType.INHERIT,
      description = "Print the gateway's JSON (indented) on stdout; e2e_latency_ms goes to stderr.")
  boolean json;

  @Option(names = "--timeout", defaultValue = "180", scope = ScopeType.INHERIT, paramLabel = "S",
      description = "Seconds to wait for the gateway's answer (default: ${DEFAULT-VALUE}).")
  double timeoutSeconds;

  @Spec
  CommandSpec spec;

  static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new HostCli());
    cmd.setExecutionExceptionHandler((e, c, parsed) -> {
      c.getErr().println("host: " + e.getMessage());
      return 1;
    });
    return cmd;
  }

  HostApiClient client() {
    return new HostApiClient(gwHost, gwPort, Duration.ofMillis((long) (timeoutSeconds * 1000)));
  }

  String requireDevice(CommandLine sub) {
    if (device == null || device.isBlank()) {
      throw new CommandLine.ParameterException(sub, "--device D is required for '" + sub.getCommandName()
          + "' (e.g. host --device nucleo_f746 " + sub.getCommandName() + " ...; 'host boards' lists the boards)");
    }
    return device;
  }

  /** One request: sends it, prints the latency and the answer, returns the exit code. */
  int call(CommandLine sub, ObjectNode request, byte[] blob, String uploadLabel, Printer printer) {
    PrintWriter out = sub.getOut();
    PrintWriter err = sub.getErr();
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
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r.json()));
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
