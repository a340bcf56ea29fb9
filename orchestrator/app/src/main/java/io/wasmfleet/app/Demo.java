package io.wasmfleet.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.wasmfleet.gateway.GatewayNode;
import io.wasmfleet.hostapi.HostApiClient;
import io.wasmfleet.hostapi.HostApiClient.Response;
import io.wasmfleet.wasm.BuiltModules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code bin/demo}: a tour of a gateway on the embedded default (two simulated boards), with
 * the requests the seed's README shows. Prints each request, its e2e latency and its answer,
 * checks each answer, and leaves nothing running. Exit 0 when every step did what it should.
 */
public final class Demo {

  private static final String BOARD = "nucleo_f746";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HostApiClient client;
  private int failures;

  private Demo(HostApiClient client) {
    this.client = client;
  }

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    int code;
    try (GatewayNode node = GatewayNode.start(ConfigFactory.parseMap(Map.of("wasmfleet.gateway.api.port", port)))) {
      System.out.printf("gateway on %s with simulated boards: %s%n%n", node.apiAddress(),
          String.join(", ", node.boards().stream().map(b -> b.id() + " (" + b.cpu() + ")").toList()));
      Demo demo = new Demo(new HostApiClient("127.0.0.1", node.apiPort(), Duration.ofSeconds(60)));
      demo.tour();
      code = demo.failures == 0 ? 0 : 1;
      System.out.println(code == 0 ? "demo: every step did what it should" : "demo: " + demo.failures + " step(s) failed");
    }
    System.exit(code);
  }

  private void tour() throws IOException {
    Path c = BuiltModules.repositoryRoot().resolve("wasm/c");
    byte[] math = Files.readAllBytes(c.resolve("math_ops.c"));
    byte[] toggle = Files.readAllBytes(c.resolve("toggle_forever.c"));

    step("status", client.status(BOARD), r -> r.ok() && r.detail().startsWith("STATUS_OK"));
    step("build-and-deploy --module-id math_ops --source wasm/c/math_ops.c",
        client.buildAndLoad(BOARD, "math_ops", math, "math_ops.c", "wasm", false, null), Response::ok);
    step("start --module-id math_ops --func-name add --func-args \"a=10,b=15\" --wait-result",
        client.start(BOARD, "math_ops", "add", "a=10,b=15", true, 10),
        r -> r.ok() && r.detail().contains(" ret_i32=25"));
    step("build-and-deploy --module-id toggle1 --source wasm/c/toggle_forever.c",
        client.buildAndLoad(BOARD, "toggle1", toggle, "toggle_forever.c", "wasm", false, null), Response::ok);
    System.out.println("# both slots are taken now: a new module needs a victim");
    step("build-and-deploy --module-id toggle2 --source wasm/c/toggle_forever.c --replace",
        client.buildAndLoad(BOARD, "toggle2", toggle, "toggle_forever.c", "wasm", true, null),
        r -> !r.ok() && r.error().equals("LOAD_ERR code=FULL msg=\"NEED_VICTIM\""));
    step("build-and-deploy --module-id toggle2 --source wasm/c/toggle_forever.c --replace-victim toggle1",
        client.buildAndLoad(BOARD, "toggle2", toggle, "toggle_forever.c", "wasm", false, "toggle1"), Response::ok);
    step("start --module-id toggle2 --func-name toggle_forever",
        client.start(BOARD, "toggle2", "toggle_forever", null, false, 10), r -> "START_OK".equals(r.detail()));
    step("status", client.status(BOARD), r -> r.ok() && r.detail().contains("toggle2:RUNNING"));
    step("stop --module-id toggle2", client.stop(BOARD, "toggle2", 10),
        r -> r.ok() && r.detail().startsWith("RESULT status=STOPPED module_id=toggle2"));
  }

  private void step(String command, Response r, Predicate<Response> expected) throws IOException {
    System.out.printf("$ host --device %s %s%n", BOARD, command);
    System.out.printf("e2e_latency_ms=%.2f%n", r.e2eMillis());
    System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r.json()));
    if (!expected.test(r)) {
      failures++;
      System.out.println("!! unexpected answer");
    }
    System.out.println();
  }
}
