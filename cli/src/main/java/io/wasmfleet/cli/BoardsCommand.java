package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** {@code host boards}: every board of the cluster, one line each. */
final class BoardsCommand {

  private BoardsCommand() {}

  static Command command() {
    return new Command("boards", "Every board the gateway cluster knows: link, slots, modules, pool use.")
        .footer("", "Example:", "  host boards")
        .runs(BoardsCommand::run);
  }

  static int run(Args a) {
    ObjectNode r = HostApiClient.request("boards", null);
    r.put("v", 2);
    return new HostCli(a).call(a, r, null, null, BoardsCommand::print);
  }

  static void print(JsonNode answer, PrintWriter out) {
    out.printf("%-16s %-10s %-14s %-10s %-12s %-6s %-14s %s%n", "BOARD", "NODE", "TYPE", "CPU", "LINK", "SLOTS",
        "POOL USED", "MODULES");
    for (JsonNode b : answer.path("boards")) {
      List<String> modules = new ArrayList<>();
      for (JsonNode m : b.path("modules")) {
        modules.add(m.path("id").asText() + ":" + m.path("state").asText());
      }
      JsonNode pool = b.path("pool");
      String poolUse = pool.isMissingNode() ? "-" : pool.path("used").asLong() + "/" + pool.path("total").asLong();
      String link = b.path("link").asText() + (b.path("simulated").asBoolean() ? "*" : "");
      out.printf("%-16s %-10s %-14s %-10s %-12s %-6s %-14s %s%n", b.path("board").asText(), b.path("node").asText(),
          b.path("type").asText("-"), b.path("cpu").asText("-"), link,
          b.path("modules").size() + "/" + b.path("slots").asInt(0), poolUse,
          modules.isEmpty() ? "-" : String.join(" ", modules));
      if (b.has("error")) {
        out.println("  " + b.path("error").asText());
      }
    }
    out.println("(* simulated board)");
  }
}
