package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "deploy", aliases = "load",
    description = "Load a .wasm (or WAMR .aot) file onto a board.",
    footer = {"", "Examples:",
        "  host --device nucleo_f746 deploy --module-id math_ops --wasm build/wasm/math_ops.wasm",
        "  host --device nucleo_f746 deploy --module-id t3 --wasm toggle.wasm --replace-victim auto"})
final class DeployCommand implements Callable<Integer> {

  @ParentCommand
  HostCli host;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  DeploymentOptions deployment;

  @Option(names = "--wasm", required = true, paramLabel = "FILE", description = "The .wasm or .aot file.")
  Path file;

  @Override
  public Integer call() {
    String device = host.requireDevice(spec.commandLine());
    byte[] blob = read(spec.commandLine(), file, "--wasm");
    ObjectNode r = deployment.applyTo(HostApiClient.loadRequest(device, deployment.moduleId, blob,
        file.getFileName().toString(), deployment.replace, deployment.victim));
    return host.call(spec.commandLine(), r, blob, "uploading " + file.getFileName(), HostCli::printOk);
  }

  static byte[] read(CommandLine cmd, Path file, String option) {
    if (!Files.isRegularFile(file)) {
      throw new CommandLine.ParameterException(cmd, option + " " + file + ": no such file");
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CommandLine.ParameterException(cmd, option + " " + file + ": cannot read it (" + e.getMessage() + ")");
    }
  }
}
