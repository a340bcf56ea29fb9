package io.wasmfleet.gateway.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where campaigns live: a SQL database reached through JDBC, by default one SQLite file that
 * every node on the machine shares. It is the campaigns' only truth: a node that takes a
 * campaign over reads from here what is done, and a run is stored once (its key is campaign,
 * board, bench, mode and repeat; a second insert of the same run changes nothing). The schema
 * is in docs/campaigns.md.
 */
public final class CampaignStore {

  public static final String QUEUED = "QUEUED";
  public static final String RUNNING = "RUNNING";
  public static final String DONE = "DONE";
  public static final String PENDING = "PENDING";
  public static final String FAILED = "FAILED";

  /** One planned board x bench x mode. */
  public record Cell(String board, String bench, String mode) {}

  /** A module the campaign runs: wasm for the boards, C for the host baseline. */
  public record Module(String bench, String kind, String name, byte[] bytes) {}

  /** One timed run as the board reported it. */
  public record Run(int repeat, long count, double elapsedUs, Long cycles, Long toggles) {}

  /** What was learnt of a board and its memory while a cell ran (null: not known). */
  public record CellFacts(String boardType, String cpu, String rtos, boolean simulated, String clockMhz, String fpu,
      String node,
      String runtime, Long artifactBytes, Long checksum, Long memTotal, Long memBefore, Long memLoaded,
      Long memRunning, Long memHighmark, Long memAfter) {}

  private final String url;
  private final Properties properties;
  private final String blobType;
  private final ObjectMapper json = new ObjectMapper();
  private final Path sqliteFile;
  private volatile boolean ready;

  public CampaignStore(String url, String user, String password) {
    this.url = url;
    this.properties = new Properties();
    if (user != null && !user.isEmpty()) {
      properties.setProperty("user", user);
      properties.setProperty("password", password == null ? "" : password);
    }
    this.blobType = url.startsWith("jdbc:postgresql:") ? "BYTEA" : "BLOB";
    String file = url.startsWith("jdbc:sqlite:") ? url.substring("jdbc:sqlite:".length()) : "";
    this.sqliteFile = file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:") ? null
        : Paths.get(file).toAbsolutePath();
  }

  /**
   * An SQLite file that does not exist yet holds no campaign: reading it is answered without
   * creating it, so a node that never runs a campaign leaves no database behind.
   */
  private boolean absent() {
    return !ready && sqliteFile != null && !Files.exists(sqliteFile);
  }

  private synchronized void ensureSchema() {
    if (ready) {
      return;
    }
    if (sqliteFile != null) {
      try {
        Files.createDirectories(sqliteFile.getParent());
      } catch (IOException e) {
        throw new StoreException("cannot create the campaign database's folder " + sqliteFile.getParent()
            + ": " + e.getMessage(), e);
      }
    }
    createSchema();
    ready = true;
  }

  public String url() {
    return url;
  }

  private Connection connect() throws SQLException {
    Connection c = DriverManager.getConnection(url, properties);
    if (url.startsWith("jdbc:sqlite:")) {
      try (Statement s = c.createStatement()) {
        // several nodes (processes) share the file: wait for a writer rather than fail
        s.execute("PRAGMA busy_timeout = 30000");
        s.execute("PRAGMA foreign_keys = ON");
      }
    }
    return c;
  }

  private void createSchema() {
    String[] ddl = {
        "CREATE TABLE IF NOT EXISTS campaign ("
            + " id VARCHAR(64) PRIMARY KEY, name VARCHAR(200) NOT NULL, state VARCHAR(16) NOT NULL,"
            + " spec TEXT NOT NULL, created_ms BIGINT NOT NULL, started_ms BIGINT, finished_ms BIGINT,"
            + " node VARCHAR(100), resumes INTEGER NOT NULL DEFAULT 0, note TEXT)",
        "CREATE TABLE IF NOT EXISTS campaign_module ("
            + " campaign_id VARCHAR(64) NOT NULL REFERENCES campaign(id), bench VARCHAR(32) NOT NULL,"
            + " kind VARCHAR(16) NOT NULL, name VARCHAR(200) NOT NULL, bytes " + blobType + " NOT NULL,"
            + " PRIMARY KEY (campaign_id, bench, kind))",
        "CREATE TABLE IF NOT EXISTS campaign_cell ("
            + " campaign_id VARCHAR(64) NOT NULL REFERENCES campaign(id), board VARCHAR(64) NOT NULL,"
            + " bench VARCHAR(32) NOT NULL, mode VARCHAR(16) NOT NULL, seq INTEGER NOT NULL,"
            + " state VARCHAR(16) NOT NULL, error TEXT, board_type VARCHAR(64), cpu VARCHAR(200),"
            + " rtos VARCHAR(32), simulated INTEGER, clock_mhz VARCHAR(16), fpu VARCHAR(16), node VARCHAR(100), runtime VARCHAR(200),"
            + " artifact_bytes BIGINT, checksum BIGINT, mem_total BIGINT, mem_before BIGINT, mem_loaded BIGINT,"
            + " mem_running BIGINT, mem_highmark BIGINT, mem_after BIGINT, started_ms BIGINT, finished_ms BIGINT,"
            + " PRIMARY KEY (campaign_id, board, bench, mode))",
        "CREATE TABLE IF NOT EXISTS campaign_run ("
            + " campaign_id VARCHAR(64) NOT NULL REFERENCES campaign(id), board VARCHAR(64) NOT NULL,"
            + " bench VARCHAR(32) NOT NULL, mode VARCHAR(16) NOT NULL, repeat_no INTEGER NOT NULL,"
            + " count BIGINT NOT NULL, elapsed_us DOUBLE PRECISION NOT NULL, cycles BIGINT, toggles BIGINT,"
            + " node VARCHAR(100), stored_ms BIGINT NOT NULL,"
            + " PRIMARY KEY (campaign_id, board, bench, mode, repeat_no))"};
    try (Connection c = connect(); Statement s = c.createStatement()) {
      if (url.startsWith("jdbc:sqlite:")) {
        s.execute("PRAGMA journal_mode = WAL");
      }
      for (String d : ddl) {
        s.execute(d);
      }
    } catch (SQLException e) {
      throw new StoreException("cannot open the campaign database " + url + ": " + e.getMessage(), e);
    }
  }

  /** A database problem, said with the database's own words. */
  public static final class StoreException extends RuntimeException {
    StoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} in one transaction. */
  private <T> T tx(String what, Work<T> work) {
    ensureSchema();
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try {
        T out = work.run(c);
        c.commit();
        return out;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException(what + " failed in " + url + ": " + e.getMessage(), e);
    }
  }

  private static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(sql)) {
      bind(p, args);
      return p.executeUpdate();
    }
  }

  private static void bind(PreparedStatement p, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a == null) {
        p.setNull(i + 1, Types.NULL);
      } else if (a instanceof byte[] b) {
        p.setBytes(i + 1, b);
      } else if (a instanceof Boolean b) {
        p.setInt(i + 1, b ? 1 : 0);
      } else {
        p.setObject(i + 1, a);
      }
    }
  }

  private static List<Map<String, Object>> query(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(sql)) {
      bind(p, args);
      try (ResultSet rs = p.executeQuery()) {
        ResultSetMetaData meta = rs.getMetaData();
        List<Map<String, Object>> rows = new ArrayList<>();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            row.put(meta.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), rs.getObject(i));
          }
          rows.add(row);
        }
        return rows;
      }
    }
  }

  // ---- writing --------------------------------------------------------------------------------

  /** Stores a new campaign, QUEUED, with its modules and every planned cell, in one transaction. */
  public void create(String id, String name, CampaignSpec spec, List<Module> modules, List<Cell> cells) {
    String specJson;
    try {
      specJson = json.writeValueAsString(spec);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    tx("storing campaign " + id, c -> {
      update(c, "INSERT INTO campaign (id, name, state, spec, created_ms) VALUES (?, ?, ?, ?, ?)",
          id, name, QUEUED, specJson, System.currentTimeMillis());
      for (Module m : modules) {
        update(c, "INSERT INTO campaign_module (campaign_id, bench, kind, name, bytes) VALUES (?, ?, ?, ?, ?)",
            id, m.bench(), m.kind(), m.name(), m.bytes());
      }
      int seq = 0;
      for (Cell cell : cells) {
        update(c, "INSERT INTO campaign_cell (campaign_id, board, bench, mode, seq, state) VALUES (?, ?, ?, ?, ?, ?)",
            id, cell.board(), cell.bench(), cell.mode(), seq++, PENDING);
      }
      return null;
    });
  }

  /**
   * {@code node} runs the campaign from now on. True when it had been RUNNING before: a resume
   * after its node went away, counted in {@code resumes}.
   */
  public boolean claim(String id, String node) {
    return tx("claiming campaign " + id, c -> {
      List<Map<String, Object>> rows = query(c, "SELECT state, node FROM campaign WHERE id = ?", id);
      boolean resumed = !rows.isEmpty() && RUNNING.equals(rows.get(0).get("state"));
      update(c, "UPDATE campaign SET state = ?, node = ?, started_ms = COALESCE(started_ms, ?),"
          + " resumes = resumes + ? WHERE id = ?", RUNNING, node, System.currentTimeMillis(), resumed ? 1 : 0, id);
      return resumed;
    });
  }

  public void finish(String id, String state, String note) {
    tx("finishing campaign " + id, c -> update(c,
        "UPDATE campaign SET state = ?, finished_ms = ?, note = COALESCE(?, note) WHERE id = ?",
        state, System.currentTimeMillis(), note, id));
  }

  /** Stores one run unless it is stored already; true when this call stored it. */
  public boolean storeRun(String id, Cell cell, Run run, String node) {
    return tx("storing a run of campaign " + id, c -> update(c,
        "INSERT INTO campaign_run (campaign_id, board, bench, mode, repeat_no, count, elapsed_us, cycles, toggles,"
            + " node, stored_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (campaign_id, board, bench, mode, repeat_no) DO NOTHING",
        id, cell.board(), cell.bench(), cell.mode(), run.repeat(), run.count(), run.elapsedUs(), run.cycles(),
        run.toggles(), node, System.currentTimeMillis()) == 1);
  }

  /** Records what was learnt of the board; a null field keeps what was stored. */
  public void cellFacts(String id, Cell cell, CellFacts f) {
    tx("storing a cell of campaign " + id, c -> update(c,
        "UPDATE campaign_cell SET board_type = COALESCE(?, board_type), cpu = COALESCE(?, cpu),"
            + " rtos = COALESCE(?, rtos), simulated = ?,"
            + " clock_mhz = COALESCE(?, clock_mhz), fpu = COALESCE(?, fpu), node = COALESCE(?, node),"
            + " runtime = COALESCE(?, runtime), artifact_bytes = COALESCE(?, artifact_bytes),"
            + " checksum = COALESCE(?, checksum), mem_total = COALESCE(?, mem_total),"
            + " mem_before = COALESCE(?, mem_before), mem_loaded = COALESCE(?, mem_loaded),"
            + " mem_running = COALESCE(?, mem_running), mem_highmark = COALESCE(?, mem_highmark),"
            + " mem_after = COALESCE(?, mem_after), started_ms = COALESCE(started_ms, ?)"
            + " WHERE campaign_id = ? AND board = ? AND bench = ? AND mode = ?",
        f.boardType(), f.cpu(), f.rtos(), f.simulated(), f.clockMhz(), f.fpu(), f.node(), f.runtime(), f.artifactBytes(),
        f.checksum(), f.memTotal(), f.memBefore(), f.memLoaded(), f.memRunning(), f.memHighmark(), f.memAfter(),
        System.currentTimeMillis(), id, cell.board(), cell.bench(), cell.mode()));
  }

  public void endCell(String id, Cell cell, String state, String error) {
    tx("ending a cell of campaign " + id, c -> update(c,
        "UPDATE campaign_cell SET state = ?, error = ?, finished_ms = ?"
            + " WHERE campaign_id = ? AND board = ? AND bench = ? AND mode = ?",
        state, error, System.currentTimeMillis(), id, cell.board(), cell.bench(), cell.mode()));
  }

  // ---- reading --------------------------------------------------------------------------------

  /** The campaigns not finished, oldest first: the one to run (or resume) next comes first. */
  public List<String> unfinished() {
    if (absent()) {
      return List.of();
    }
    return tx("listing campaigns", c -> query(c,
        "SELECT id FROM campaign WHERE state IN (?, ?) ORDER BY created_ms, id", RUNNING, QUEUED))
        .stream().map(r -> (String) r.get("id")).toList();
  }

  public Optional<CampaignSpec> spec(String id) {
    return tx("reading campaign " + id, c -> query(c, "SELECT spec FROM campaign WHERE id = ?", id))
        .stream().findFirst().map(r -> {
          try {
            return json.readValue((String) r.get("spec"), CampaignSpec.class);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  public Optional<Module> module(String id, String bench, String kind) {
    return tx("reading a module of campaign " + id, c -> query(c,
        "SELECT name, bytes FROM campaign_module WHERE campaign_id = ? AND bench = ? AND kind = ?", id, bench, kind))
        .stream().findFirst().map(r -> new Module(bench, kind, (String) r.get("name"), (byte[]) r.get("bytes")));
  }

  /** Every cell, in plan order, with its state. */
  public List<Map<String, Object>> cells(String id) {
    return tx("reading campaign " + id, c -> query(c,
        "SELECT * FROM campaign_cell WHERE campaign_id = ? ORDER BY seq", id));
  }

  /** The repeats of a cell already stored. */
  public Set<Integer> storedRepeats(String id, Cell cell) {
    return tx("reading campaign " + id, c -> query(c,
        "SELECT repeat_no FROM campaign_run WHERE campaign_id = ? AND board = ? AND bench = ? AND mode = ?",
        id, cell.board(), cell.bench(), cell.mode()))
        .stream().map(r -> ((Number) r.get("repeat_no")).intValue()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
  }

  /** Every campaign, newest first, with its progress. */
  public ArrayNode list() {
    if (absent()) {
      return json.createArrayNode();
    }
    return tx("listing campaigns", c -> {
      ArrayNode out = json.createArrayNode();
      for (Map<String, Object> row : query(c, "SELECT c.id, c.name, c.state, c.created_ms, c.finished_ms, c.node,"
          + " c.resumes, (SELECT COUNT(*) FROM campaign_cell x WHERE x.campaign_id = c.id) AS cells,"
          + " (SELECT COUNT(*) FROM campaign_cell x WHERE x.campaign_id = c.id AND x.state = 'FAILED') AS failed,"
          + " (SELECT COUNT(*) FROM campaign_run r WHERE r.campaign_id = c.id) AS runs"
          + " FROM campaign c ORDER BY c.created_ms DESC, c.id DESC")) {
        out.add(toJson(row));
      }
      return out;
    });
  }

  /** A whole campaign as JSON: the campaign, its spec, every cell with its runs; empty when unknown. */
  public Optional<ObjectNode> load(String id) {
    return load(id, Long.MIN_VALUE);
  }

  /**
   * As {@link #load(String)}, with only the runs stored at or after {@code runsStoredSince}
   * (epoch ms) in each cell's {@code runs}; {@code stored} counts them all. What a follower polls.
   */
  public Optional<ObjectNode> load(String id, long runsStoredSince) {
    if (absent()) {
      return Optional.empty();
    }
    return tx("reading campaign " + id, c -> {
      List<Map<String, Object>> rows = query(c, "SELECT * FROM campaign WHERE id = ?", id);
      if (rows.isEmpty()) {
        return Optional.empty();
      }
      Map<String, Object> campaign = rows.get(0);
      String spec = (String) campaign.remove("spec");
      ObjectNode out = toJson(campaign);
      try {
        out.set("spec", json.readTree(spec));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      ArrayNode modules = out.putArray("modules");
      for (Map<String, Object> m : query(c, "SELECT bench, kind, name, bytes FROM campaign_module"
          + " WHERE campaign_id = ? ORDER BY bench, kind", id)) {
        byte[] bytes = (byte[]) m.remove("bytes");
        ObjectNode mod = toJson(m);
        mod.put("bytes", bytes.length);
        mod.put("sha256", sha256(bytes));
        modules.add(mod);
      }
      Map<String, ArrayNode> runsByCell = new LinkedHashMap<>();
      Map<String, Long> counts = new HashMap<>();
      for (Map<String, Object> r : query(c, "SELECT board, bench, mode, COUNT(*) AS n FROM campaign_run"
          + " WHERE campaign_id = ? GROUP BY board, bench, mode", id)) {
        counts.put(r.get("board") + "|" + r.get("bench") + "|" + r.get("mode"), ((Number) r.get("n")).longValue());
      }
      for (Map<String, Object> r : query(c, "SELECT * FROM campaign_run WHERE campaign_id = ? AND stored_ms >= ?"
          + " ORDER BY board, bench, mode, repeat_no", id, runsStoredSince)) {
        String key = r.get("board") + "|" + r.get("bench") + "|" + r.get("mode");
        r.remove("campaign_id");
        r.remove("board");
        r.remove("bench");
        r.remove("mode");
        runsByCell.computeIfAbsent(key, k -> json.createArrayNode()).add(toJson(r));
      }
      ArrayNode cells = out.putArray("cells");
      for (Map<String, Object> cell : query(c, "SELECT * FROM campaign_cell WHERE campaign_id = ? ORDER BY seq", id)) {
        cell.remove("campaign_id");
        ObjectNode node = toJson(cell);
        if (node.has("simulated")) {
          node.put("simulated", node.path("simulated").asInt() == 1);
        }
        String key = cell.get("board") + "|" + cell.get("bench") + "|" + cell.get("mode");
        node.set("runs", runsByCell.getOrDefault(key, json.createArrayNode()));
        node.put("stored", counts.getOrDefault(key, 0L));
        cells.add(node);
      }
      return Optional.of(out);
    });
  }

  private ObjectNode toJson(Map<String, Object> row) {
    ObjectNode o = json.createObjectNode();
    row.forEach((k, v) -> {
      if (v == null) {
        return;
      }
      JsonNode value = json.valueToTree(v instanceof Integer i ? Long.valueOf(i) : v);
      o.set(k, value);
    });
    return o;
  }

  static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
