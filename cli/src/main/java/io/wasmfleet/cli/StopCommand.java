package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.hostapi.HostApiClient;

/** {@code host stop}: stops a running module. */
final class StopCommand {

  private StopCommand() {}

  static Command command() {
    return addOptions(new Command("stop", "Stop a running module (cooperatively; forced after 1.2 s on the board)."))
        .footer("", "Example:", "  host --device nucleo_f746 stop --module-id toggle1")
        .runs(StopCommand::run);
  }

  /** The options of a stop, here and in {@code host fleet stop}. */
  static Command addOptions(Command c) {
    return c.required("--module-id", "M", "The module's id on the board.")
        .option("--result-timeout", "S", "10", "Seconds to wait for the final RESULT (default: %s).");
  }

  static int run(Args a) {
    HostCli host = new HostCli(a);
    ObjectNode r = HostApiClient.stopRequest(host.requireDevice(a), a.string("--module-id"),
        a.decimal("--result-timeout"));
    return host.call(a, r, null, null, HostCli::printOk);
  }
}
