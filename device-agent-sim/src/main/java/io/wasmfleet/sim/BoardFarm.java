package io.wasmfleet.sim;

import com.typesafe.config.Config;
import io.wasmfleet.sim.board.BoardProfile;
import io.wasmfleet.sim.board.Faults;
import io.wasmfleet.sim.board.SimulatedBoard;
import io.wasmfleet.sim.link.SerialLink;
import io.wasmfleet.sim.link.TcpLink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated boards of one process, each on its own wire, plus the optional admin port.
 * Used by {@code bin/agent-sim}, by tests, and by a gateway that starts boards in-process.
 */
public final class BoardFarm implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BoardFarm.class);

  /** A started board and where to reach it: {@code tcp:host:port} or {@code serial:path}. */
  public record Running(SimulatedBoard board, String endpoint) {}

  private final Map<String, Running> boards = new LinkedHashMap<>();
  private final List<AutoCloseable> links = new ArrayList<>();
  private ServerSocket admin;

  private BoardFarm() {}

  /**
   * Starts {@code specs} with the settings under {@code wasmfleet.sim} in {@code config}. A
   * board id used twice gets {@code -2}, {@code -3}... Everything started is closed again if
   * one board fails to start.
   */
  public static BoardFarm start(Config config, List<BoardSpec> specs) throws IOException {
    Config sim = config.getConfig("wasmfleet.sim");
    BoardFarm farm = new BoardFarm();
    try {
      Set<String> used = new HashSet<>();
      for (BoardSpec spec : specs) {
        String id = spec.id();
        for (int n = 2; !used.add(id); n++) {
          id = spec.id() + "-" + n;
        }
        farm.startBoard(sim, spec.withId(id));
      }
      int adminPort = sim.getInt("admin-port");
      if (adminPort >= 0) {
        farm.startAdmin(sim.getString("bind-host"), adminPort);
      }
      return farm;
    } catch (IOException | RuntimeException e) {
      farm.close();
      throw e;
    }
  }

  /** The board specs listed under {@code wasmfleet.sim.boards}. */
  public static List<BoardSpec> configuredBoards(Config config) {
    List<BoardSpec> specs = new ArrayList<>();
    for (Config c : config.getConfigList("wasmfleet.sim.boards")) {
      specs.add(BoardSpec.fromConfig(c));
    }
    return specs;
  }

  public static BoardProfile profile(Config sim, String name, Config overrides) {
    String path = "profiles." + name;
    if (!sim.hasPath(path)) {
      throw new IllegalArgumentException("unknown board profile '" + name + "'; known: "
          + String.join(", ", new TreeSet<>(sim.getConfig("profiles").root().keySet())));
    }
    Config c = overrides.withFallback(sim.getConfig(path)).withFallback(sim.getConfig("profile-defaults"));
    return BoardProfile.fromConfig(name, c);
  }

  private void startBoard(Config sim, BoardSpec spec) throws IOException {
    BoardProfile profile = profile(sim, spec.profile(), spec.overrides());
    boolean pacing = sim.getBoolean("uart-pacing");
    Faults faults = Faults.fromConfig(sim.getLong("seed"), spec.faults());
    SimulatedBoard board = new SimulatedBoard(spec.id(), profile, faults, pacing);
    try {
      String endpoint;
      if (spec.serial() != null) {
        SerialLink link = new SerialLink(board, spec.serial(), pacing);
        links.add(link);
        endpoint = "serial:" + spec.serial();
      } else {
        TcpLink link = new TcpLink(board, sim.getString("bind-host"), Math.max(0, spec.port()), pacing);
        links.add(link);
        endpoint = "tcp:" + link.address();
      }
      links.add(board);
      boards.put(spec.id(), new Running(board, endpoint));
    } catch (IOException e) {
      board.close();
      throw new IOException("board " + spec.id() + ": " + e.getMessage(), e);
    }
  }

  private void startAdmin(String host, int port) throws IOException {
    admin = new ServerSocket();
    admin.setReuseAddress(true);
    admin.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    Thread t = new Thread(this::adminLoop, "sim-admin");
    t.setDaemon(true);
    t.start();
  }

  /** Admin port: each line is {@code <board-id> SIM_...}; the reply is one line. */
  private void adminLoop() {
    while (!admin.isClosed()) {
      try (Socket s = admin.accept();
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
          OutputStream out = s.getOutputStream()) {
        String line;
        while ((line = in.readLine()) != null) {
          out.write((adminLine(line.trim()) + "\n").getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
      } catch (IOException e) {
        if (!admin.isClosed()) {
          log.debug("admin connection ended: {}", e.getMessage());
        }
      }
    }
  }

  String adminLine(String line) {
    String[] parts = line.split(" ", 2);
    Running r = boards.get(parts[0]);
    if (r == null || parts.length < 2) {
      return "SIM_ERR msg=\"expected '<board-id> SIM_...'; boards: " + String.join(",", boards.keySet()) + "\"";
    }
    return r.board().admin(parts[1]);
  }

  public List<Running> boards() {
    return Collections.unmodifiableList(new ArrayList<>(boards.values()));
  }

  public SimulatedBoard board(String id) {
    Running r = boards.get(id);
    if (r == null) {
      throw new IllegalArgumentException("no simulated board '" + id + "'");
    }
    return r.board();
  }

  public String endpoint(String id) {
    board(id);
    return boards.get(id).endpoint();
  }

  public int adminPort() {
    return admin == null ? -1 : admin.getLocalPort();
  }

  @Override
  public void close() {
    for (AutoCloseable c : links) {
      try {
        c.close();
      } catch (Exception e) {
        log.debug("closing: {}", e.getMessage());
      }
    }
    if (admin != null) {
      try {
        admin.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
