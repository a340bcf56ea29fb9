package io.wasmfleet.sim;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/agent-sim}: starts simulated boards and runs until stopped. */
@Command(
    name = "agent-sim",
    mixinStandardHelpOptions = true,
    description = "Simulated NUCLEO boards that speak agent wire protocol v1 (firmware 1.0.0).",
    footer = {
        "",
        "Examples:",
        "  agent-sim                                    the boards in conf/agent-sim.conf",
        "  agent-sim --board nucleo_f446re:7001 --board nucleo_f746zg:7002",
        "  agent-sim --board f4=nucleo_f446re:serial:/tmp/ttyF4 --admin-port 7000",
        "  agent-sim --board nucleo_f446re:7001 --fault nucleo_f446re:noise_rate=0.2,seed=7",
        "",
        "Then: printf 'STATUS\\n' | nc -q1 127.0.0.1 7001"})
public final class AgentSim implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "HOCON file (over the built-in defaults).")
  File config;

  @Option(names = "--board", paramLabel = "[ID=]PROFILE:PORT|[ID=]PROFILE:serial:PATH",
      description = "A board to start (repeatable); replaces the configured boards. Port 0 picks a free port.")
  List<String> boards = new ArrayList<>();

  @Option(names = "--bind", paramLabel = "HOST", description = "Address to bind (default 127.0.0.1).")
  String bind;

  @Option(names = "--seed", description = "Fault generator seed.")
  Long seed;

  @Option(names = "--admin-port", paramLabel = "PORT", description = "Admin port for '<board> SIM_...' lines (0: any).")
  Integer adminPort;

  @Option(names = "--uart-pacing", description = "Pace bytes at the profile's UART baud rate.")
  boolean pacing;

  @Option(names = "--execution", paramLabel = "interpreter|compiled",
      description = "How wasm runs unless a LOAD says sim_exec=: Chicory's interpreter or its compiler.")
  String execution;

  @Option(names = "--fault", paramLabel = "BOARD:key=value[,key=value]",
      description = "Fault to set at start, as SIM_FAULT keys (repeatable).")
  List<String> faults = new ArrayList<>();

  private final CountDownLatch stopped = new CountDownLatch(1);

  public static void main(String[] args) {
    // The library jar carries no logback.xml (a gateway embedding the boards has its own).
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-agent-sim.xml");
    }
    System.exit(commandLine().execute(args));
  }

  /**
   * The command, with errors said in one line: a bad flag or board is a usage error (exit 2),
   * a board that cannot start (port in use, no such serial device) exits 1.
   */
  static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new AgentSim());
    cmd.setExecutionExceptionHandler((e, c, parsed) -> {
      c.getErr().println("agent-sim: " + e.getMessage());
      return e instanceof IllegalArgumentException || e instanceof com.typesafe.config.ConfigException ? 2 : 1;
    });
    return cmd;
  }

  Config effectiveConfig() {
    Map<String, Object> flags = new LinkedHashMap<>();
    if (bind != null) {
      flags.put("wasmfleet.sim.bind-host", bind);
    }
    if (seed != null) {
      flags.put("wasmfleet.sim.seed", seed);
    }
    if (adminPort != null) {
      flags.put("wasmfleet.sim.admin-port", adminPort);
    }
    if (pacing) {
      flags.put("wasmfleet.sim.uart-pacing", true);
    }
    if (execution != null) {
      flags.put("wasmfleet.sim.profile-defaults.execution", execution);
    }
    Config file = config == null ? ConfigFactory.empty() : ConfigFactory.parseFile(config);
    if (config != null && !config.isFile()) {
      throw new CommandLine.ParameterException(new CommandLine(this), "no config file " + config);
    }
    return ConfigFactory.parseMap(flags).withFallback(file).withFallback(ConfigFactory.load()).resolve();
  }

  @Override
  public Integer call() throws Exception {
    Config c = effectiveConfig();
    List<BoardSpec> specs = new ArrayList<>();
    for (String b : boards) {
      specs.add(BoardSpec.parse(b));
    }
    if (specs.isEmpty()) {
      specs = BoardFarm.configuredBoards(c);
    }
    if (specs.isEmpty()) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "no boards: give --board PROFILE:PORT or a --config listing wasmfleet.sim.boards");
    }
    PrintWriter out = new PrintWriter(System.out, true);
    BoardFarm farm = BoardFarm.start(c, specs);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      farm.close();
      stopped.countDown();
    }, "sim-shutdown"));
    for (String f : faults) {
      int colon = f.indexOf(':');
      if (colon < 0) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--fault '" + f + "': expected BOARD:key=value");
      }
      String reply = farm.board(f.substring(0, colon)).admin("SIM_FAULT " + f.substring(colon + 1).replace(',', ' '));
      if (reply.startsWith("SIM_ERR")) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--fault '" + f + "': " + reply);
      }
    }
    for (BoardFarm.Running r : farm.boards()) {
      out.printf("board %s profile=%s cpu=%s endpoint=%s%n", r.board().id(), r.board().profile().name(),
          r.board().profile().cpu(), r.endpoint());
    }
    if (farm.adminPort() >= 0) {
      out.printf("admin port=%d%n", farm.adminPort());
    }
    out.println("ready");
    stopped.await();
    return 0;
  }
}
