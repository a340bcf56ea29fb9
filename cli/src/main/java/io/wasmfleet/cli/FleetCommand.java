package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.protocol.Crc32;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code host fleet ...}: the same operation on many boards, across every gateway node. */
@Command(mixinStandardHelpOptions = true, name = "fleet",
    description = "Deploy, start, stop or ask the status of many boards at once, on every gateway node.",
    subcommands = {FleetCommand.Deploy.class, FleetCommand.Start.class, FleetCommand.Stop.class,
        FleetCommand.Status.class},
    footer = {"", "Examples:",
        "  host fleet deploy --select all --module-id math_ops --source wasm/c/math_ops.c --parallel 4",
        "  host fleet deploy --select tag=lab --module-id t --wasm build/wasm/toggle.wasm --replace-victim auto",
        "  host fleet start --select board=n1,n2 --module-id math_ops --func-name add --func-args a=1,b=2 --wait-result",
        "  host fleet status --select all"})
final class FleetCommand {

  @ParentCommand
  HostCli host;

  /** What every fleet operation takes. */
  static final class Selection {
    @Option(names = "--select", required = true, paramLabel = "all|board=ID[,ID]|tag=TAG",
        description = "Which boards: all, board=ID[,ID...], or tag=TAG.")
    String select;

    @Option(names = "--parallel", defaultValue = "4", paramLabel = "K",
        description = "Boards worked on at once (default: ${DEFAULT-VALUE}).")
    int parallel;
  }

  @Command(mixinStandardHelpOptions = true, name = "deploy",
      description = "Load a module on every selected board; C source is built once per target.")
  static final class Deploy extends Operation {
    @Mixin
    DeploymentOptions deployment;

    @Option(names = "--wasm", paramLabel = "FILE", description = "A .wasm (or .aot) file.")
    Path wasm;

    @Option(names = "--source", paramLabel = "FILE.c", description = "C source, built by the gateway.")
    Path source;

    @Option(names = "--mode", defaultValue = "wasm", paramLabel = "wasm|aot", description = "With --source.")
    BuildAndDeployCommand.Mode mode;

    @Override
    public Integer call() {
      if ((wasm == null) == (source == null)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "give either --wasm FILE or --source FILE.c");
      }
      byte[] blob = DeployCommand.read(spec.commandLine(), wasm != null ? wasm : source, wasm != null ? "--wasm" : "--source");
      ObjectNode r = request("deploy", selection);
      r.put("module_id", deployment.moduleId);
      r.put("replace", deployment.replace);
      if (deployment.victim != null) {
        r.put("replace_victim", deployment.victim);
      }
      deployment.applyTo(r);
      String prefix = wasm != null ? "blob" : "source";
      r.put(prefix + "_size", blob.length);
      r.put(prefix + "_crc32", Crc32.hex(Crc32.of(blob)));
      r.put(prefix + "_name", (wasm != null ? wasm : source).getFileName().toString());
      if (source != null) {
        r.put("mode", mode.name());
      }
      return fleet.run(spec.commandLine(), r, blob);
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "start", description = "Start a module on every selected board.")
  static final class Start extends Operation {
    @Option(names = "--module-id", required = true, paramLabel = "M")
    String moduleId;

    @Option(names = "--func-name", paramLabel = "F")
    String func;

    @Option(names = "--func-args", paramLabel = "\"a=1,b=2\"")
    String args;

    @Option(names = "--wait-result", description = "Wait for each job's RESULT.")
    boolean waitResult;

    @Option(names = "--result-timeout", defaultValue = "10", paramLabel = "S")
    double resultTimeout;

    @Override
    public Integer call() {
      ObjectNode r = request("start", selection);
      ObjectNode start = HostApiClient.startRequest(null, moduleId, func, args, waitResult, resultTimeout);
      start.remove("cmd");
      r.setAll(start);
      return fleet.run(spec.commandLine(), r, null);
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "stop", description = "Stop a module on every selected board.")
  static final class Stop extends Operation {
    @Option(names = "--module-id", required = true, paramLabel = "M")
    String moduleId;

    @Option(names = "--result-timeout", defaultValue = "10", paramLabel = "S")
    double resultTimeout;

    @Override
    public Integer call() {
      ObjectNode r = request("stop", selection);
      r.put("module_id", moduleId);
      r.put("result_timeout", resultTimeout);
      return fleet.run(spec.commandLine(), r, null);
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "status", description = "STATUS of every selected board.")
  static final class Status extends Operation {
    @Override
    public Integer call() {
      return fleet.run(spec.commandLine(), request("status", selection), null);
    }
  }

  /** What every fleet subcommand has: its parent, its spec and the board selection. */
  abstract static class Operation implements Callable<Integer> {
    @ParentCommand
    FleetCommand fleet;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    Selection selection;
  }

  static ObjectNode request(String op, Selection selection) {
    ObjectNode r = HostApiClient.request("fleet", null);
    r.put("v", 2);
    r.put("op", op);
    r.put("select", selection.select);
    r.put("parallel", selection.parallel);
    return r;
  }

  /** Sends the operation, prints each board as it finishes, then the table and the counts. */
  int run(CommandLine cmd, ObjectNode request, byte[] blob) {
    PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();
    HostApiClient.Response r;
    try (UploadProgress progress = UploadProgress.start(err, "sending", blob, !host.json)) {
      r = host.client().sendStreaming(request, blob, progress, event -> {
        if (host.json) {
          out.println(event);
        } else {
          printEvent(event, out);
        }
        out.flush();
      });
    } catch (IOException e) {
      return host.failedToAsk(e, err);
    }
    String latency = String.format(Locale.ROOT, "e2e_latency_ms=%.2f", r.e2eMillis());
    if (host.json) {
      out.println(r.json());
      err.println(latency);
    } else {
      out.println(latency);
      if (r.json().has("results")) {
        printTable(r.json(), out);
      } else {
        HostCli.printError(r.json(), err);
      }
    }
    out.flush();
    err.flush();
    return r.ok() ? 0 : 1;
  }

  private static void printEvent(JsonNode e, PrintWriter out) {
    switch (e.path("event").asText()) {
      case "start" -> out.printf("%s on %d board(s), %d at a time%n", e.path("op").asText(), e.path("boards").size(),
          e.path("parallel").asInt());
      case "build" -> out.printf("build for %s: %s%n", e.path("target").asText(),
          e.path("ok").asBoolean() ? (e.path("cached").asBoolean() ? "ok (cached)" : "ok") : "FAILED " + e.path("error").asText());
      case "board" -> out.printf("[%d/%d] %-16s %-8s %s (%d ms)%n", e.path("done").asInt(), e.path("of").asInt(),
          e.path("board").asText(), e.path("ok").asBoolean() ? "ok" : "FAILED", text(e), e.path("ms").asLong());
      default -> out.println(e);
    }
  }

  private static String text(JsonNode e) {
    return e.path("ok").asBoolean() ? e.path("detail").asText() : e.path("error").asText();
  }

  private static void printTable(JsonNode done, PrintWriter out) {
    out.printf("%-16s %-10s %-7s %s%n", "BOARD", "NODE", "RESULT", "DETAIL");
    for (JsonNode b : done.path("results")) {
      out.printf("%-16s %-10s %-7s %s%n", b.path("board").asText(), b.path("node").asText("-"),
          b.path("ok").asBoolean() ? "ok" : "FAILED", text(b));
    }
    JsonNode s = done.path("summary");
    out.printf("%d board(s): %d ok, %d failed%n", s.path("total").asInt(), s.path("ok").asInt(), s.path("failed").asInt());
  }
}
