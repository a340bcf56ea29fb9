package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "build-and-deploy", aliases = "build_and_load",
    description = "Send C source to the gateway, which compiles it (clang; wamrc for --mode aot) for the board and loads it.",
    footer = {"", "Examples:",
        "  host --device nucleo_f746 build-and-deploy --module-id toggle1 --source wasm/c/toggle_forever.c --mode aot",
        "  host --device nucleo_f746 build-and-deploy --module-id toggle3 --source wasm/c/toggle_forever.c --mode aot \\",
        "       --replace-victim toggle2"})
final class BuildAndDeployCommand implements Callable<Integer> {

  enum Mode { wasm, aot }

  @ParentCommand
  HostCli host;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  DeploymentOptions deployment;

  @Option(names = "--source", required = true, paramLabel = "FILE.c", description = "The C source.")
  Path source;

  @Option(names = "--mode", defaultValue = "wasm", paramLabel = "wasm|aot",
      description = "wasm (interpreted) or aot (wamrc for the board's CPU). Default: ${DEFAULT-VALUE}.")
  Mode mode;

  @Override
  public Integer call() {
    String device = host.requireDevice(spec.commandLine());
    byte[] blob = DeployCommand.read(spec.commandLine(), source, "--source");
    ObjectNode r = deployment.applyTo(HostApiClient.buildAndLoadRequest(device, deployment.moduleId, blob,
        source.getFileName().toString(), mode.name(), deployment.replace, deployment.victim));
    return host.call(spec.commandLine(), r, blob, "building " + source.getFileName(), HostCli::printOk);
  }
}
