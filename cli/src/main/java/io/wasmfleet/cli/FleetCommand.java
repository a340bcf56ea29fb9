package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.protocol.Crc32;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/** {@code host fleet ...}: the same operation on many boards, across every gateway node. */
final class FleetCommand {

  private FleetCommand() {}

  static Command command() {
    return new Command("fleet", "Deploy, start, stop or ask the status of many boards at once, on every gateway node.")
        .sub(selection(DeploymentOptions.addTo(new Command("deploy",
                "Load a module on every selected board; C source is built once per target.")))
            .option("--wasm", "FILE", "A .wasm (or .aot) file.")
            .option("--source", "FILE.c", "C source, built by the gateway.")
            .option("--mode", "wasm|aot", "wasm", "With --source (default: %s).")
            .runs(FleetCommand::deploy))
        .sub(selection(StartCommand.addOptions(new Command("start", "Start a module on every selected board.")))
            .runs(a -> {
              ObjectNode start = StartCommand.request(a, null);
              start.remove("cmd");
              return run(a, request("start", a).setAll(start), null);
            }))
        .sub(selection(StopCommand.addOptions(new Command("stop", "Stop a module on every selected board.")))
            .runs(a -> {
              ObjectNode r = request("stop", a);
              r.put("module_id", a.string("--module-id"));
              r.put("result_timeout", a.decimal("--result-timeout"));
              return run(a, r, null);
            }))
        .sub(selection(new Command("status", "STATUS of every selected board."))
            .runs(a -> run(a, request("status", a), null)))
        .footer("", "Examples:",
            "  host fleet deploy --select all --module-id math_ops --source wasm/c/math_ops.c --parallel 4",
            "  host fleet deploy --select tag=lab --module-id t --wasm build/wasm/toggle.wasm --replace-victim auto",
            "  host fleet start --select board=n1,n2 --module-id math_ops --func-name add --func-args a=1,b=2 --wait-result",
            "  host fleet status --select all");
  }

  /** What every fleet operation takes. */
  private static Command selection(Command c) {
    return c.required("--select", "all|board=ID[,ID]|tag=TAG", "Which boards: all, board=ID[,ID...], or tag=TAG.")
        .option("--parallel", "K", "4", "Boards worked on at once (default: %s).");
  }

  private static int deploy(Args a) {
    Path wasm = a.path("--wasm");
    Path source = a.path("--source");
    if ((wasm == null) == (source == null)) {
      throw a.usage("give either --wasm FILE or --source FILE.c");
    }
    String mode = a.choice("--mode", "wasm", "aot");
    byte[] blob = DeployCommand.read(a, wasm != null ? wasm : source, wasm != null ? "--wasm" : "--source");
    DeploymentOptions deployment = new DeploymentOptions(a);
    ObjectNode r = request("deploy", a);
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
      r.put("mode", mode);
    }
    return run(a, r, blob);
  }

  static ObjectNode request(String op, Args a) {
    ObjectNode r = HostApiClient.request("fleet", null);
    r.put("v", 2);
    r.put("op", op);
    r.put("select", a.string("--select"));
    r.put("parallel", a.integer("--parallel", 1, 64)); // the host API's bounds
    return r;
  }

  /** Sends the operation, prints each board as it finishes, then the table and the counts. */
  static int run(Args a, ObjectNode request, byte[] blob) {
    HostCli host = new HostCli(a);
    PrintWriter out = a.out;
    PrintWriter err = a.err;
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
