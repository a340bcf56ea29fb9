package io.wasmfleet.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.wasmfleet.gateway.device.BoardConfig;
import java.io.File;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/gateway}: runs a gateway node until stopped. */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    description = "A gateway node: drives boards over serial or TCP and serves host API v1.",
    footer = {
        "",
        "With no boards configured it starts two simulated boards (nucleo_f446, nucleo_f746).",
        "Examples:",
        "  gateway                                   conf/gateway.conf, API on 127.0.0.1:9000",
        "  gateway --port 9100",
        "  gateway --board nucleo_f446=/dev/ttyACM0:nucleo_f446re --board sim=tcp:127.0.0.1:7001:nucleo_f446re"})
public final class GatewayMain implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "HOCON file (over the built-in defaults).")
  File config;

  @Option(names = "--host", description = "Address the host API listens on (default 127.0.0.1).")
  String host;

  @Option(names = "--port", description = "Host API port (default 9000; 0 picks a free port).")
  Integer port;

  @Option(names = "--dashboard-host", paramLabel = "HOST",
      description = "Address the fleet page listens on (default 127.0.0.1; any other needs a token).")
  String dashboardHost;

  @Option(names = "--dashboard-port", paramLabel = "PORT",
      description = "The fleet page's port (bin/gateway: 9080; 0 picks a free port; -1 turns the page off).")
  Integer dashboardPort;

  @Option(names = "--dashboard-token-file", paramLabel = "FILE",
      description = "A file holding the token the page's API requires (or WASMFLEET_DASHBOARD_TOKEN).")
  File dashboardTokenFile;

  @Option(names = "--node-name", paramLabel = "NAME", description = "This node's name in the fleet.")
  String nodeName;

  @Option(names = "--cluster-host", paramLabel = "HOST", description = "Address for cluster traffic (default 127.0.0.1).")
  String clusterHost;

  @Option(names = "--cluster-port", paramLabel = "PORT", description = "Port for cluster traffic (default: any free port).")
  Integer clusterPort;

  @Option(names = "--seed-node", paramLabel = "HOST:PORT",
      description = "A cluster seed node (repeatable). None: this node forms a cluster of its own.")
  java.util.List<String> seedNodes = new java.util.ArrayList<>();

  @Option(names = "--board", paramLabel = "ID=ENDPOINT:TYPE",
      description = "A board to drive (repeatable; replaces the configured boards). ENDPOINT is tcp:HOST:PORT or a serial device.")
  Map<String, String> boards = new LinkedHashMap<>();

  private final CountDownLatch stopped = new CountDownLatch(1);

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new GatewayMain());
    cmd.setExecutionExceptionHandler((e, c, parsed) -> {
      c.getErr().println("gateway: " + e.getMessage());
      return e instanceof IllegalArgumentException || e instanceof com.typesafe.config.ConfigException ? 2 : 1;
    });
    return cmd;
  }

  Config effectiveConfig() {
    Map<String, Object> flags = new LinkedHashMap<>();
    if (host != null) {
      flags.put("wasmfleet.gateway.api.host", host);
    }
    if (port != null) {
      flags.put("wasmfleet.gateway.api.port", port);
    }
    if (nodeName != null) {
      flags.put("wasmfleet.gateway.node-name", nodeName);
    }
    if (dashboardHost != null) {
      flags.put("wasmfleet.gateway.dashboard.host", dashboardHost);
    }
    if (dashboardPort != null) {
      flags.put(dashboardPort < 0 ? "wasmfleet.gateway.dashboard.enabled" : "wasmfleet.gateway.dashboard.port",
          dashboardPort < 0 ? (Object) false : dashboardPort);
    }
    if (dashboardTokenFile != null) {
      try {
        flags.put("wasmfleet.gateway.dashboard.token",
            java.nio.file.Files.readString(dashboardTokenFile.toPath()).strip());
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("--dashboard-token-file " + dashboardTokenFile + ": cannot read it");
      }
    }
    if (clusterHost != null) {
      flags.put("pekko.remote.artery.canonical.hostname", clusterHost);
    }
    if (clusterPort != null) {
      flags.put("pekko.remote.artery.canonical.port", clusterPort);
    }
    if (!seedNodes.isEmpty()) {
      java.util.List<String> seeds = new java.util.ArrayList<>();
      for (String seed : seedNodes) {
        if (!seed.matches("[^:]+:\\d{1,5}")) {
          throw new IllegalArgumentException("--seed-node " + seed + ": expected HOST:PORT");
        }
        seeds.add("pekko://wasmfleet@" + seed);
      }
      flags.put("pekko.cluster.seed-nodes", seeds);
    }
    Config c = ConfigFactory.parseMap(flags);
    if (!boards.isEmpty()) {
      StringBuilder hocon = new StringBuilder("wasmfleet.gateway.boards = {\n");
      boards.forEach((id, spec) -> {
        int colon = spec.lastIndexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException("--board " + id + "=" + spec + ": expected ID=ENDPOINT:TYPE");
        }
        hocon.append('"').append(id).append("\" { endpoint = \"")
            .append(spec, 0, colon).append("\", type = \"").append(spec.substring(colon + 1)).append("\" }\n");
      });
      hocon.append("}\n");
      c = ConfigFactory.parseString(hocon.toString()).withFallback(c);
    }
    if (config != null) {
      if (!config.isFile()) {
        throw new IllegalArgumentException("no config file " + config);
      }
      Config file = ConfigFactory.parseFile(config);
      if (!boards.isEmpty()) {
        file = file.withoutPath("wasmfleet.gateway.boards");
      }
      c = c.withFallback(file);
    }
    return c;
  }

  @Override
  public Integer call() throws Exception {
    Config c = effectiveConfig();
    BoardConfig.allFromConfig(c.withFallback(ConfigFactory.load()).resolve().getConfig("wasmfleet.gateway"));
    GatewayNode node = GatewayNode.start(c);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "gateway-shutdown"));
    PrintWriter out = new PrintWriter(System.out, true);
    out.printf("gateway %s: host API on %s, cluster %s%n", node.nodeName(), node.apiAddress(), node.clusterAddress());
    if (node.dashboardUrl() != null) {
      out.printf("fleet page on %s%n", node.dashboardUrl());
    }
    for (BoardConfig b : node.boards()) {
      out.printf("board %s type=%s cpu=%s endpoint=%s%s%n", b.id(), b.type(), b.cpu(), b.endpoint(),
          node.embeddedBoards() != null ? " (simulated, in-process)" : "");
    }
    out.println("ready");
    stopped.await();
    return 0;
  }
}
