package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.protocol.Crc32;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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

  @Option(names = "--module-id", required = true, paramLabel = "M", description = "The module's id on the board.")
  String moduleId;

  @Option(names = "--wasm", required = true, paramLabel = "FILE", description = "The .wasm or .aot file.")
  Path file;

  @Option(names = "--replace", description = "Replace a running module of the same id (or any, with a victim).")
  boolean replace;

  @Option(names = "--replace-victim", paramLabel = "V|auto",
      description = "The module to unload when both slots are taken; auto picks the least recently used idle one.")
  String victim;

  @Override
  public Integer call() {
    String device = host.requireDevice(spec.commandLine());
    byte[] blob = read(spec.commandLine(), file, "--wasm");
    ObjectNode r = HostApiClient.request("load", device);
    r.put("module_id", moduleId);
    r.put("blob_size", blob.length);
    r.put("blob_crc32", Crc32.hex(Crc32.of(blob)));
    r.put("blob_name", file.getFileName().toString());
    r.put("replace", replace);
    if (victim != null) {
      r.put("replace_victim", victim);
    }
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
