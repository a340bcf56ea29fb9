package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.protocol.Crc32;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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

  @Option(names = "--module-id", required = true, paramLabel = "M", description = "The module's id on the board.")
  String moduleId;

  @Option(names = "--source", required = true, paramLabel = "FILE.c", description = "The C source.")
  Path source;

  @Option(names = "--mode", defaultValue = "wasm", paramLabel = "wasm|aot",
      description = "wasm (interpreted) or aot (wamrc for the board's CPU). Default: ${DEFAULT-VALUE}.")
  Mode mode;

  @Option(names = "--replace", description = "Replace a running module of the same id (or any, with a victim).")
  boolean replace;

  @Option(names = "--replace-victim", paramLabel = "V|auto",
      description = "The module to unload when both slots are taken; auto picks the least recently used idle one.")
  String victim;

  @Override
  public Integer call() {
    String device = host.requireDevice(spec.commandLine());
    byte[] blob = DeployCommand.read(spec.commandLine(), source, "--source");
    ObjectNode r = HostApiClient.request("build_and_load", device);
    r.put("module_id", moduleId);
    r.put("mode", mode.name());
    r.put("source_size", blob.length);
    r.put("source_crc32", Crc32.hex(Crc32.of(blob)));
    r.put("source_name", source.getFileName().toString());
    r.put("replace", replace);
    if (victim != null) {
      r.put("replace_victim", victim);
    }
    return host.call(spec.commandLine(), r, blob, "building " + source.getFileName(), HostCli::printOk);
  }
}
