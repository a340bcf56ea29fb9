package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import java.nio.file.Path;

/** {@code host build-and-deploy} (alias {@code build_and_load}): C source, built by the gateway. */
final class BuildAndDeployCommand {

  private BuildAndDeployCommand() {}

  static Command command() {
    return DeploymentOptions.addTo(new Command("build-and-deploy",
            "Send C source to the gateway, which compiles it (clang; wamrc for --mode aot) for the board and loads it.")
            .alias("build_and_load"))
        .required("--source", "FILE.c", "The C source.")
        .option("--mode", "wasm|aot", "wasm", "wasm (interpreted) or aot (wamrc for the board's CPU). Default: %s.")
        .footer("", "Examples:",
            "  host --device nucleo_f746 build-and-deploy --module-id toggle1 --source wasm/c/toggle_forever.c --mode aot",
            "  host --device nucleo_f746 build-and-deploy --module-id toggle3 --source wasm/c/toggle_forever.c --mode aot \\",
            "       --replace-victim toggle2")
        .runs(BuildAndDeployCommand::run);
  }

  static int run(Args a) {
    HostCli host = new HostCli(a);
    String device = host.requireDevice(a);
    DeploymentOptions deployment = new DeploymentOptions(a);
    String mode = a.choice("--mode", "wasm", "aot");
    Path source = a.path("--source");
    byte[] blob = DeployCommand.read(a, source, "--source");
    ObjectNode r = deployment.applyTo(HostApiClient.buildAndLoadRequest(device, deployment.moduleId, blob,
        source.getFileName().toString(), mode, deployment.replace, deployment.victim));
    return host.call(a, r, blob, "building " + source.getFileName(), HostCli::printOk);
  }
}
