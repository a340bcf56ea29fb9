package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;

/** {@code host logs}: a board's console lines, once or followed. */
final class LogsCommand {

  private LogsCommand() {}

  static Command command() {
    return new Command("logs", "A board's console lines: module output, kernel messages, anything not a reply.")
        .flag("-f|--follow", "Keep printing new lines until interrupted.")
        .option("--interval", "S", "0.5", "With --follow: seconds between polls (default: %s).")
        .footer("", "Examples:", "  host --device nucleo_f446 logs", "  host --device nucleo_f446 logs --follow")
        .runs(LogsCommand::run);
  }

  static int run(Args a) throws InterruptedException {
    HostCli host = new HostCli(a);
    String device = host.requireDevice(a);
    double interval = a.decimal("--interval");
    ObjectNode r = HostApiClient.request("console", device);
    r.put("v", 2);
    long[] seen = {0};
    int code = host.call(a, r, null, null, (answer, out) -> seen[0] = printNew(answer, 0, out));
    if (code != 0 || !a.flag("--follow")) {
      return code;
    }
    PrintWriter out = a.out;
    while (!Thread.currentThread().isInterrupted()) {
      TimeUnit.MILLISECONDS.sleep((long) (interval * 1000)); // polling a console, not synchronising
      try {
        HostApiClient.Response next = host.client().send(r, null);
        if (!next.ok()) {
          a.err.println("error: " + next.error());
          return 1;
        }
        seen[0] = printNew(next.json(), seen[0], out);
        out.flush();
      } catch (IOException e) {
        a.err.println("host: " + e.getMessage());
        return 1;
      }
    }
    return 0;
  }

  /** Prints the lines numbered after {@code seen} (of {@code total} ever); returns the new total. */
  static long printNew(JsonNode answer, long seen, PrintWriter out) {
    JsonNode lines = answer.path("lines");
    long total = answer.path("total").asLong(lines.size());
    long first = total - lines.size();
    for (int i = 0; i < lines.size(); i++) {
      if (first + i >= seen) {
        out.println(lines.get(i).asText());
      }
    }
    return total;
  }
}
