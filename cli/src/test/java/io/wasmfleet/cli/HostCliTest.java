package io.wasmfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.wasmfleet.gateway.GatewayNode;
import io.wasmfleet.wasm.BuiltModules;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** bin/host's commands, run as its main runs them, against a real gateway with simulated boards. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostCliTest {

  private GatewayNode gateway;
  private String port;

  /** What one run printed and returned. */
  record Run(int code, String out, String err) {
    /** stdout without the e2e_latency_ms line, which differs from run to run. */
    String answer() {
      return out.lines().filter(l -> !l.startsWith("e2e_latency_ms=")).reduce("", (a, b) -> a + b + "\n");
    }
  }

  @BeforeAll
  void start() throws Exception {
    List<Map<String, Object>> boards = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      boards.add(Map.of("id", "c" + i, "profile", i % 2 == 0 ? "nucleo_f746zg" : "nucleo_f446re"));
    }
    gateway = GatewayNode.start(ConfigFactory.parseMap(Map.of(
        "wasmfleet.gateway.api.port", 0,
        "wasmfleet.gateway.embedded-simulator.boards", boards,
        "wasmfleet.gateway.build.cache-dir", System.getProperty("java.io.tmpdir") + "/wasmfleet-cli-test-cache")));
    port = Integer.toString(gateway.apiPort());
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  private Run host(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--gw-port", port));
    all.addAll(List.of(args));
    int code = HostCli.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  private static String wasm(String name) {
    return BuiltModules.wasm(name).toString();
  }

  private static String source(String name) {
    return BuiltModules.source(name).toString();
  }

  @Test
  void statusPrintsTheLatencyThenTheBoard() {
    Run r = host("--device", "c1", "status");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().matches("(?s)e2e_latency_ms=\\d+\\.\\d\\d\n.*"), r.out());
    assertTrue(r.out().contains("c1: 0 module(s); WAMR pool 2056 of 102400 bytes used"), r.out());
  }

  @Test
  void theSeedReadmesCommands() {
    Run aot = host("--device", "c2", "build-and-deploy", "--module-id", "toggle1", "--source",
        source("toggle_forever.c"), "--mode", "aot");
    assertEquals(0, aot.code(), aot.err());
    assertTrue(aot.out().contains("ok: LOAD_OK"));
    assertEquals(0, host("--device", "c2", "build-and-deploy", "--module-id", "math_ops", "--source",
        source("math_ops.c")).code());
    Run add = host("--device", "c2", "start", "--module-id", "math_ops", "--func-name", "add", "--func-args",
        "a=10,b=15", "--wait-result");
    assertEquals(0, add.code(), add.err());
    assertTrue(add.out().contains("ret_i32=25") && add.out().contains("result: 25"), add.out());
    Run victim = host("--device", "c2", "build-and-deploy", "--module-id", "toggle3", "--source",
        source("toggle_forever.c"), "--mode", "aot", "--replace-victim", "toggle1");
    assertEquals(0, victim.code(), victim.err());
    assertTrue(victim.out().contains("victim: toggle1"), victim.out());
    Run status = host("--device", "c2", "status");
    assertTrue(status.out().contains("toggle3") && status.out().contains("math_ops") && !status.out().contains("toggle1"));
  }

  @Test
  void globalOptionsMayComeAfterTheCommandToo() {
    Run before = host("--device", "c3", "status");
    Run after = host("status", "--device", "c3");
    assertEquals(0, after.code(), after.err());
    assertEquals(before.answer(), after.answer());
  }

  @Test
  void aliasesBehaveIdentically() {
    Run deploy = host("--device", "c4", "deploy", "--module-id", "m", "--wasm", wasm("math_ops"));
    Run load = host("--device", "c5", "load", "--module-id", "m", "--wasm", wasm("math_ops"));
    assertEquals(0, load.code());
    assertEquals(deploy.answer(), load.answer());
    Run build = host("--device", "c4", "build-and-deploy", "--module-id", "h", "--source", source("uart_hello.c"));
    Run buildAlias = host("--device", "c5", "build_and_load", "--module-id", "h", "--source", source("uart_hello.c"));
    assertEquals(0, buildAlias.code(), buildAlias.err());
    assertEquals(build.answer().replace("cached: false", "cached: true"), buildAlias.answer());
  }

  @Test
  void jsonOutputIsTheGatewaysJson() throws Exception {
    Run r = host("--json", "--device", "c6", "status");
    assertEquals(0, r.code());
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertTrue(json.get("ok").asBoolean());
    assertTrue(json.get("detail").asText().startsWith("STATUS_OK"));
    assertTrue(r.err().startsWith("e2e_latency_ms="), "the latency goes to stderr with --json");
    Run refused = host("--json", "--device", "c6", "start", "--module-id", "ghost");
    assertEquals(1, refused.code());
    assertEquals("RESULT status=NO_MODULE module_id=ghost", new ObjectMapper().readTree(refused.out()).get("error").asText());
  }

  @Test
  void startAndStopAJob() {
    assertEquals(0, host("--device", "c7", "deploy", "--module-id", "t", "--wasm", wasm("toggle_forever")).code());
    Run start = host("--device", "c7", "start", "--module-id", "t", "--func-name", "toggle_forever");
    assertTrue(start.out().contains("ok: START_OK"), start.out());
    Run stop = host("--device", "c7", "stop", "--module-id", "t");
    assertEquals(0, stop.code(), stop.err());
    assertTrue(stop.out().contains("ok: RESULT status=STOPPED module_id=t func=toggle_forever"), stop.out());
  }

  @Test
  void refusalsExitOneAndNameTheWayOut() {
    Run unknown = host("--device", "nucleo_f9", "status");
    assertEquals(1, unknown.code());
    assertTrue(unknown.err().startsWith("error: device 'nucleo_f9' is not known; known: c1, c10, c2"), unknown.err());
    Run noModule = host("--device", "c8", "start", "--module-id", "ghost", "--wait-result");
    assertEquals(1, noModule.code());
    assertEquals("error: RESULT status=NO_MODULE module_id=ghost\n", noModule.err());
    Run broken = host("--device", "c8", "deploy", "--module-id", "src", "--wasm", source("math_ops.c"));
    assertEquals(1, broken.code());
    assertTrue(broken.err().contains("is neither a wasm module nor a WAMR AOT file"), broken.err());
  }

  @Test
  void anUnreachableGatewaySaysWhereItLooked() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    StringWriter err = new StringWriter();
    int code = HostCli.run(new String[] {"--gw-port", Integer.toString(closed), "--device", "c1", "status"},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertEquals(1, code);
    assertTrue(err.toString().startsWith("host: cannot reach the gateway at localhost:" + closed), err.toString());
    assertTrue(err.toString().contains("is bin/gateway running?"));
  }

  @Test
  void usageErrorsExitTwo() {
    Run noDevice = host("status");
    assertEquals(2, noDevice.code());
    assertTrue(noDevice.err().contains("--device D is required for 'status'"), noDevice.err());
    assertEquals(2, host("--device", "c1", "start").code(), "--module-id is required");
    assertEquals(2, host("--device", "c1", "reboot").code(), "no such command");
    Run noFile = host("--device", "c1", "deploy", "--module-id", "m", "--wasm", "/no/such.wasm");
    assertEquals(2, noFile.code());
    assertTrue(noFile.err().contains("--wasm /no/such.wasm: no such file"), noFile.err());
    Run mode = host("--device", "c1", "build-and-deploy", "--module-id", "m", "--source", source("math_ops.c"),
        "--mode", "jit");
    assertEquals(2, mode.code());
    assertTrue(mode.err().contains("wasm, aot"), mode.err());
  }

  @Test
  void boardsListsEveryBoard() {
    Run r = host("boards");
    assertEquals(0, r.code(), r.err());
    for (int i = 1; i <= 10; i++) {
      assertTrue(r.out().contains("\nc" + i + " "), "c" + i + " in\n" + r.out());
    }
    assertTrue(r.out().contains("cortex-m7") && r.out().contains("CONNECTED*"));
  }

  @Test
  void logsShowTheBoardsConsole() {
    assertEquals(0, host("--device", "c9", "deploy", "--module-id", "h", "--wasm", wasm("uart_hello")).code());
    assertEquals(0, host("--device", "c9", "start", "--module-id", "h", "--func-name", "hello", "--func-args", "n=2",
        "--wait-result").code());
    Run logs = host("--device", "c9", "logs");
    assertEquals(0, logs.code(), logs.err());
    assertTrue(logs.out().contains("hello from wasm 1/2\nhello from wasm 2/2\n"), logs.out());
  }

  @Test
  void followPrintsOnlyNewLines() throws Exception {
    ObjectMapper json = new ObjectMapper();
    StringWriter out = new StringWriter();
    long seen = LogsCommand.printNew(json.readTree("{\"total\": 5, \"lines\": [\"c\", \"d\", \"e\"]}"), 0,
        new PrintWriter(out, true));
    assertEquals(5, seen);
    seen = LogsCommand.printNew(json.readTree("{\"total\": 7, \"lines\": [\"d\", \"e\", \"f\", \"g\"]}"), seen,
        new PrintWriter(out, true));
    assertEquals(7, seen);
    assertEquals("c\nd\ne\nf\ng\n", out.toString());
  }

  @Test
  void fleetDeployStartAndStatusAcrossBoards() {
    Run deploy = host("fleet", "deploy", "--select", "board=c6,c10", "--module-id", "m", "--source",
        source("math_ops.c"), "--parallel", "2");
    assertEquals(0, deploy.code(), deploy.err() + deploy.out());
    assertTrue(deploy.out().contains("deploy on 2 board(s), 2 at a time"), deploy.out());
    assertTrue(deploy.out().contains("build for wasm: ok"), "built once for both boards: " + deploy.out());
    assertTrue(deploy.out().matches("(?s).*\\[1/2\\] c(6|10) .*\\[2/2\\] c(6|10) .*"), deploy.out());
    assertTrue(deploy.out().contains("2 board(s): 2 ok, 0 failed"), deploy.out());
    Run start = host("fleet", "start", "--select", "board=c6,c10", "--module-id", "m", "--func-name", "add",
        "--func-args", "a=2,b=40", "--wait-result");
    assertEquals(0, start.code(), start.err());
    assertEquals(2, start.out().lines().filter(l -> l.matches("c(6|10) .* ok .*ret_i32=42.*")).count(), start.out());
    Run status = host("fleet", "status", "--select", "all");
    assertEquals(0, status.code());
    assertTrue(status.out().contains("10 board(s): 10 ok, 0 failed"), status.out());
  }

  @Test
  void aFleetOperationReportsEveryBoardAndFailsWhenOneDoes() throws Exception {
    Run start = host("--json", "fleet", "start", "--select", "board=c3,c8", "--module-id", "nowhere");
    assertEquals(1, start.code(), "no board has that module");
    List<JsonNode> lines = new ArrayList<>();
    for (String line : start.out().lines().toList()) {
      lines.add(new ObjectMapper().readTree(line));
    }
    JsonNode done = lines.get(lines.size() - 1);
    assertEquals("done", done.get("event").asText());
    assertEquals(2, done.get("summary").get("failed").asInt());
    assertEquals("RESULT status=NO_MODULE module_id=nowhere", done.get("results").get(0).get("error").asText());
    Run unknown = host("fleet", "status", "--select", "board=c1,ghost");
    assertEquals(1, unknown.code());
    assertTrue(unknown.err().contains("device 'ghost' is not known"), unknown.err());
    Run bad = host("fleet", "status", "--select", "rack7");
    assertTrue(bad.err().contains("field 'select' must be all, board=ID[,ID...] or tag=TAG"), bad.err());
    Run byTag = host("fleet", "status", "--select", "tag=simulated"); // every embedded board has the tag
    assertEquals(0, byTag.code(), byTag.err());
    assertTrue(byTag.out().contains("10 board(s): 10 ok, 0 failed"), byTag.out());
    Run noTag = host("fleet", "status", "--select", "tag=rack9");
    assertEquals(1, noTag.code());
    assertTrue(noTag.err().contains("select 'tag=rack9' matches no board"), noTag.err());
    assertEquals(2, host("fleet", "deploy", "--select", "all", "--module-id", "m").code(), "--wasm or --source");
  }

  @Test
  void helpHasExamplesAndCompletionIsGenerated() {
    Run help = host("start", "--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("Examples:") && help.out().contains("--wait-result"), help.out());
    Run completion = host("generate-completion");
    assertEquals(0, completion.code());
    assertTrue(completion.out().contains("complete") && completion.out().contains("build-and-deploy"));
  }
}
