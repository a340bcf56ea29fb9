package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.protocol.DeviceLine;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "start", description = "Run a module's function (app_main when none is given).",
    footer = {"", "Examples:",
        "  host --device nucleo_f746 start --module-id math_ops --func-name add --func-args \"a=10,b=15\" --wait-result",
        "  host --device nucleo_f746 start --module-id toggle1 --func-name toggle_forever"})
final class StartCommand implements Callable<Integer> {

  @ParentCommand
  HostCli host;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--module-id", required = true, paramLabel = "M")
  String moduleId;

  @Option(names = "--func-name", paramLabel = "F", description = "The export to call (default: app_main).")
  String func;

  @Option(names = "--func-args", paramLabel = "\"a=1,b=2\"", description = "Up to 4 signed 32-bit integers.")
  String args;

  @Option(names = "--wait-result", description = "Wait for the job's RESULT instead of START_OK.")
  boolean waitResult;

  @Option(names = "--result-timeout", defaultValue = "10", paramLabel = "S",
      description = "Seconds to wait for the RESULT (default: ${DEFAULT-VALUE}).")
  double resultTimeout;

  @Override
  public Integer call() {
    String device = host.requireDevice(spec.commandLine());
    ObjectNode r = HostApiClient.startRequest(device, moduleId, func, args, waitResult, resultTimeout);
    return host.call(spec.commandLine(), r, null, null, (answer, out) -> {
      HostCli.printOk(answer, out);
      if (DeviceLine.parse(answer.path("detail").asText()) instanceof DeviceLine.Result res && res.retI32() != null) {
        out.println("  result: " + res.retI32());
      }
    });
  }
}
