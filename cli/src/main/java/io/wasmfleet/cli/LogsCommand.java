package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "logs", description = "A board's console lines: module output, kernel messages, anything not a reply.",
    footer = {"", "Examples:", "  host --device nucleo_f446 logs", "  host --device nucleo_f446 logs --follow"})
final class LogsCommand implements Callable<Integer> {

  @ParentCommand
  HostCli host;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until interrupted.")
  boolean follow;

  @Option(names = "--interval", defaultValue = "0.5", paramLabel = "S",
      description = "With --follow: seconds between polls (default: ${DEFAULT-VALUE}).")
  double interval;

  @Override
  public Integer call() throws InterruptedException {
    String device = host.requireDevice(spec.commandLine());
    ObjectNode r = HostApiClient.request("console", device);
    r.put("v", 2);
    long[] seen = {0};
    int code = host.call(spec.commandLine(), r, null, null, (answer, out) -> seen[0] = printNew(answer, 0, out));
    if (code != 0 || !follow) {
      return code;
    }
    PrintWriter out = spec.commandLine().getOut();
    while (!Thread.currentThread().isInterrupted()) {
      TimeUnit.MILLISECONDS.sleep((long) (interval * 1000)); // polling a console, not synchronising
      try {
        HostApiClient.Response next = host.client().send(r, null);
        if (!next.ok()) {
          spec.commandLine().getErr().println("error: " + next.error());
          return 1;
        }
        seen[0] = printNew(next.json(), seen[0], out);
        out.flush();
      } catch (IOException e) {
        spec.commandLine().getErr().println("host: " + e.getMessage());
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
