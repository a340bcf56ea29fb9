package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "stop", description = "Stop a running module (cooperatively; forced after 1.2 s on the board).",
    footer = {"", "Example:", "  host --device nucleo_f746 stop --module-id toggle1"})
final class StopCommand implements Callable<Integer> {

  @ParentCommand
  HostCli host;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--module-id", required = true, paramLabel = "M")
  String moduleId;

  @Option(names = "--result-timeout", defaultValue = "10", paramLabel = "S",
      description = "Seconds to wait for the final RESULT (default: ${DEFAULT-VALUE}).")
  double resultTimeout;

  @Override
  public Integer call() {
    String device = host.requireDevice(spec.commandLine());
    ObjectNode r = HostApiClient.stopRequest(device, moduleId, resultTimeout);
    return host.call(spec.commandLine(), r, null, null, HostCli::printOk);
  }
}
