package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.protocol.DeviceLine;

/** {@code host start}: runs a module's function, optionally waiting for its RESULT. */
final class StartCommand {

  private StartCommand() {}

  static Command command() {
    return addOptions(new Command("start", "Run a module's function (app_main when none is given)."))
        .footer("", "Examples:",
            "  host --device nucleo_f746 start --module-id math_ops --func-name add --func-args \"a=10,b=15\" --wait-result",
            "  host --device nucleo_f746 start --module-id toggle1 --func-name toggle_forever")
        .runs(StartCommand::run);
  }

  /** The options of a start, here and in {@code host fleet start}. */
  static Command addOptions(Command c) {
    return c.required("--module-id", "M", "The module's id on the board.")
        .option("--func-name", "F", "The export to call (default: app_main).")
        .option("--func-args", "\"a=1,b=2\"", "Up to 4 signed 32-bit integers.")
        .flag("--wait-result", "Wait for the job's RESULT instead of START_OK.")
        .option("--result-timeout", "S", "10", "Seconds to wait for the RESULT (default: %s).");
  }

  /** The start request the options describe (without a device for a fleet). */
  static ObjectNode request(Args a, String device) {
    return HostApiClient.startRequest(device, a.string("--module-id"), a.string("--func-name"),
        a.string("--func-args"), a.flag("--wait-result"), a.decimal("--result-timeout"));
  }

  static int run(Args a) {
    HostCli host = new HostCli(a);
    ObjectNode r = request(a, host.requireDevice(a));
    return host.call(a, r, null, null, (answer, out) -> {
      HostCli.printOk(answer, out);
      if (DeviceLine.parse(answer.path("detail").asText()) instanceof DeviceLine.Result res && res.retI32() != null) {
        out.println("  result: " + res.retI32());
      }
    });
  }
}
