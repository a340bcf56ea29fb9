package io.wasmfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.protocol.DeviceLine;
import io.wasmfleet.protocol.DeviceLine.StatusOk;
import java.io.PrintWriter;

/** {@code host status}: a board's STATUS, readable. */
final class StatusCommand {

  private StatusCommand() {}

  static Command command() {
    return new Command("status", "Ask a board for its STATUS: modules, stack, WAMR pool.")
        .footer("", "Example:", "  host --device nucleo_f746 status")
        .runs(StatusCommand::run);
  }

  static int run(Args a) {
    HostCli host = new HostCli(a);
    String device = host.requireDevice(a);
    return host.call(a, HostApiClient.request("status", device), null, null, (answer, out) -> print(device, answer, out));
  }

  static void print(String device, JsonNode answer, PrintWriter out) {
    String detail = answer.path("detail").asText();
    if (!(DeviceLine.parse(detail) instanceof StatusOk s)) {
      HostCli.printOk(answer, out);
      return;
    }
    if (s.pool() == null) {
      out.printf("%s: %d module(s), WAMR pool figures not available%n", device, s.modules().size());
    } else {
      out.printf("%s: %d module(s); WAMR pool %d of %d bytes used, %d free, high-water %d%n", device,
          s.modules().size(), s.pool().used(), s.pool().total(), s.pool().free(), s.pool().highmark());
    }
    for (StatusOk.ModuleEntry m : s.modules()) {
      out.printf("  %-31s %-8s %7d B wasm  %5d B stack free%s%n", m.id(), m.state(), m.wasmBytes(), m.stackFree(),
          s.lowStack().contains(m.id()) ? "  LOW STACK" : "");
    }
    s.extra().get("sim_exec").filter(v -> !v.equals("none"))
        .ifPresent(v -> out.println("  simulated; execution: " + v));
  }
}
