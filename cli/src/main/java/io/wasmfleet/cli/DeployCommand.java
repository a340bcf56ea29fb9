package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code host deploy} (alias {@code load}): a .wasm or .aot file onto a board. */
final class DeployCommand {

  private DeployCommand() {}

  static Command command() {
    return DeploymentOptions.addTo(new Command("deploy", "Load a .wasm (or WAMR .aot) file onto a board.").alias("load"))
        .required("--wasm", "FILE", "The .wasm or .aot file.")
        .footer("", "Examples:",
            "  host --device nucleo_f746 deploy --module-id math_ops --wasm build/wasm/math_ops.wasm",
            "  host --device nucleo_f746 deploy --module-id t3 --wasm toggle.wasm --replace-victim auto")
        .runs(DeployCommand::run);
  }

  static int run(Args a) {
    HostCli host = new HostCli(a);
    String device = host.requireDevice(a);
    DeploymentOptions deployment = new DeploymentOptions(a);
    Path file = a.path("--wasm");
    byte[] blob = read(a, file, "--wasm");
    ObjectNode r = deployment.applyTo(HostApiClient.loadRequest(device, deployment.moduleId, blob,
        file.getFileName().toString(), deployment.replace, deployment.victim));
    return host.call(a, r, blob, "uploading " + file.getFileName(), HostCli::printOk);
  }

  static byte[] read(Args a, Path file, String option) {
    if (!Files.isRegularFile(file)) {
      throw a.usage(option + " " + file + ": no such file");
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw a.usage(option + " " + file + ": cannot read it (" + e.getMessage() + ")");
    }
  }
}
