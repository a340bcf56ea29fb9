package io.wasmfleet.gateway.campaign;

import io.wasmfleet.gateway.campaign.BoardOps.Located;
import io.wasmfleet.gateway.campaign.BoardOps.StepFailed;
import io.wasmfleet.gateway.campaign.CampaignStore.Cell;
import io.wasmfleet.gateway.campaign.CampaignStore.CellFacts;
import io.wasmfleet.gateway.device.BoardState;
import io.wasmfleet.protocol.DeviceLine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one campaign to its end from what the store says is left: every cell not yet DONE or
 * FAILED, and in a cell only the repeats not yet stored. So a node that takes over a campaign
 * whose node died goes on where it stopped, and no run is stored twice.
 *
 * <p>A board cell: the campaign's slot ({@value #MODULE}) is loaded with an empty module and
 * STATUS read (before), the benchmark loaded in its place (loaded), one warm-up run (running:
 * the exec env exists now), the timed repeats, the FFT checksum, STATUS (highmark), then the
 * empty module again (after): firmware 1.0.0 has no UNLOAD. Real boards run in parallel;
 * simulated boards and the host baseline share this machine's CPU, so they run one at a time.
 */
final class CampaignRunner {

  static final String MODULE = "wf_bench";
  /** The smallest valid wasm module: what the slot holds between benchmarks. */
  static final byte[] EMPTY_MODULE = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  private static final int ATTEMPTS = 2;
  private static final Logger log = LoggerFactory.getLogger(CampaignRunner.class);

  private final String id;
  private final CampaignStore store;
  private final BoardOps ops;
  private final String node;
  private final Path workDir;
  private final Semaphore hostCpu = new Semaphore(1);
  private volatile ExecutorService pool;
  private volatile Thread thread;

  CampaignRunner(String id, CampaignStore store, BoardOps ops, String node, Path workDir) {
    this.id = id;
    this.store = store;
    this.ops = ops;
    this.node = node;
    this.workDir = workDir;
  }

  /** Stops the runs in flight; what is stored stays, and the next owner goes on from there. */
  void cancel() {
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
    ExecutorService p = pool;
    if (p != null) {
      p.shutdownNow();
    }
  }

  /** Runs what is left; returns normally when every cell ended (the campaign is then DONE). */
  void run() throws InterruptedException {
    thread = Thread.currentThread();
    CampaignSpec spec = store.spec(id).orElseThrow(() -> new IllegalStateException("no campaign " + id));
    Map<String, List<Cell>> byBoard = new LinkedHashMap<>();
    for (Map<String, Object> row : store.cells(id)) {
      if (!row.get("state").equals(CampaignStore.PENDING)) {
        continue;
      }
      Cell cell = new Cell((String) row.get("board"), (String) row.get("bench"), (String) row.get("mode"));
      byBoard.computeIfAbsent(cell.board(), b -> new ArrayList<>()).add(cell);
    }
    List<Cell> host = byBoard.remove(CampaignSpec.HOST);
    if (host != null) {
      for (Cell cell : host) {
        attempt(cell, spec, null);
      }
    }
    pool = Executors.newFixedThreadPool(Math.max(1, Math.min(spec.parallel(), Math.max(1, byBoard.size()))), r -> {
      Thread t = new Thread(r, "campaign-" + id);
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> boards = new ArrayList<>();
      for (Map.Entry<String, List<Cell>> e : byBoard.entrySet()) {
        if (Thread.interrupted()) {
          throw new InterruptedException("cancelled");
        }
        boards.add(pool.submit(() -> {
          runBoard(e.getKey(), e.getValue(), spec);
          return null;
        }));
      }
      for (Future<?> f : boards) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof InterruptedException) {
            throw new InterruptedException("cancelled");
          }
          throw new IllegalStateException("campaign " + id + ": a board's work failed", e.getCause());
        } catch (java.util.concurrent.CancellationException e) {
          throw new InterruptedException("cancelled");
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private void runBoard(String board, List<Cell> cells, CampaignSpec spec) throws InterruptedException {
    boolean holdsCpu = false;
    try {
      for (Cell cell : cells) {
        Located located;
        try {
          located = ops.locate(board);
        } catch (StepFailed e) {
          store.endCell(id, cell, CampaignStore.FAILED, e.getMessage());
          log.warn("campaign {}: {} {} {} failed: {}", id, board, cell.bench(), cell.mode(), e.getMessage());
          continue;
        }
        if (located.state().simulated() && !holdsCpu) {
          hostCpu.acquire();
          holdsCpu = true;
        }
        attempt(cell, spec, located);
      }
    } finally {
      if (holdsCpu) {
        hostCpu.release();
      }
    }
  }

  /** Runs a cell, once more if it fails (a reboot, a lost link); then it is FAILED with the reason. */
  private void attempt(Cell cell, CampaignSpec spec, Located board) throws InterruptedException {
    String error = null;
    for (int i = 1; i <= ATTEMPTS; i++) {
      try {
        if (board == null) {
          hostCell(cell, spec);
        } else {
          boardCell(i == 1 ? board : ops.locate(cell.board()), cell, spec);
        }
        store.endCell(id, cell, CampaignStore.DONE, null);
        log.info("campaign {}: {} {} {} done", id, cell.board(), cell.bench(), cell.mode());
        return;
      } catch (StepFailed e) {
        error = e.getMessage();
        log.warn("campaign {}: {} {} {} attempt {} failed: {}", id, cell.board(), cell.bench(), cell.mode(), i, error);
      }
    }
    store.endCell(id, cell, CampaignStore.FAILED, error);
  }

  // ---- a board --------------------------------------------------------------------------------

  private void boardCell(Located found, Cell cell, CampaignSpec spec) throws StepFailed, InterruptedException {
    // What the board is (simulated, its HELLO) is known once the gateway has read it: a board
    // just handed over to this node may still be connecting. STATUS waits for that; then ask again.
    ops.status(found);
    Located b = ops.locate(cell.board());
    BoardState st = b.state();
    if (st.link().equals("DISCONNECTED")) {
      throw new StepFailed("board " + st.board() + " is not connected" + (st.lastError() == null ? "" : ": " + st.lastError()));
    }
    if (cell.mode().equals(CampaignSpec.NATIVE)) {
      builtInCell(b, cell, spec);
      return;
    }
    boolean simulated = st.simulated();
    CampaignStore.Module wasm = store.module(id, cell.bench(), "wasm")
        .orElseThrow(() -> new StepFailed("the campaign holds no wasm module for " + cell.bench()));
    boolean aot = cell.mode().equals("aot");
    // A simulated board cannot run native Thumb code: AOT stands there for Chicory's compiler.
    byte[] payload = aot && !simulated ? ops.aot(wasm.bytes(), wasm.name(), st) : wasm.bytes();
    boolean simCompiled = aot && simulated;
    Duration resultTimeout = Duration.ofSeconds(spec.resultTimeoutSeconds());
    facts(cell, st, runtime(cell.mode(), simulated), (long) payload.length, null, null, null, null, null, null);

    ops.load(b, MODULE, EMPTY_MODULE, false);
    Long before = used(ops.status(b));
    ops.load(b, MODULE, payload, simCompiled);
    DeviceLine.StatusOk loadedStatus = ops.status(b);
    Long total = loadedStatus.pool() == null ? null : loadedStatus.pool().total();
    String func = cell.bench().equals("fft") ? "fft_bench" : "toggle_n";
    String args = "n=" + spec.count(cell.bench());
    DeviceLine.Result warm = ops.run(b, MODULE, cell.bench().equals("fft") ? "app_main" : func, args, resultTimeout);
    timing(warm, cell, st); // a board that reports no timing fails here, before any repeat
    Long running = used(ops.status(b));
    facts(cell, st, null, null, null, total, before, used(loadedStatus), running, null);

    repeats(b, cell, spec, MODULE, func, args, resultTimeout);
    Long checksum = null;
    if (cell.bench().equals("fft")) {
      DeviceLine.Result sum = ops.run(b, MODULE, "fft_checksum", null, resultTimeout);
      checksum = sum.retI32() == null ? null : Integer.toUnsignedLong(sum.retI32());
    }
    DeviceLine.StatusOk afterRuns = ops.status(b);
    Long highmark = afterRuns.pool() == null ? null : afterRuns.pool().highmark();
    ops.load(b, MODULE, EMPTY_MODULE, false);
    Long after = used(ops.status(b));
    store.cellFacts(id, cell, new CellFacts(null, null, null, simulated, null, null, null, null, null, checksum, null,
        null, null, null, highmark, after));
  }

  /**
   * The board's own native C (our firmware's built-in "native.fft" / "native.toggle"): nothing
   * to load; the same warm-up, repeats and checksum as a module, on the same board and clock.
   */
  private void builtInCell(Located b, Cell cell, CampaignSpec spec) throws StepFailed, InterruptedException {
    BoardState st = b.state();
    String module = "native." + cell.bench();
    boolean fft = cell.bench().equals("fft");
    String func = fft ? "fft_bench" : "toggle_n";
    String args = "n=" + spec.count(cell.bench());
    Duration resultTimeout = Duration.ofSeconds(spec.resultTimeoutSeconds());
    store.cellFacts(id, cell, new CellFacts(st.config().type(), st.config().cpu(), st.reported().get("rtos"), false,
        st.reported().get("clock_mhz"), st.reported().get("fpu"), st.node(), "Native C (built into the firmware)",
        null, null, null, null, null, null, null, null));
    timing(ops.run(b, module, fft ? "app_main" : func, args, resultTimeout), cell, st);
    repeats(b, cell, spec, module, func, args, resultTimeout);
    if (fft) {
      DeviceLine.Result sum = ops.run(b, module, "fft_checksum", null, resultTimeout);
      store.cellFacts(id, cell, new CellFacts(null, null, null, false, null, null, null, null, null,
          sum.retI32() == null ? null : Integer.toUnsignedLong(sum.retI32()), null, null, null, null, null, null));
    }
  }

  /** The timed runs of a cell not stored yet, each stored as it comes (once: see CampaignStore.storeRun). */
  private void repeats(Located b, Cell cell, CampaignSpec spec, String module, String func, String args,
      Duration resultTimeout) throws StepFailed, InterruptedException {
    Set<Integer> stored = store.storedRepeats(id, cell);
    for (int r = 1; r <= spec.repeats(); r++) {
      if (stored.contains(r)) {
        continue;
      }
      DeviceLine.Result result = ops.run(b, module, func, args, resultTimeout);
      double[] t = timing(result, cell, b.state());
      Long toggles = cell.bench().equals("toggle") ? extraLong(result, "toggles")
          .orElse(result.retI32() == null ? null : Integer.toUnsignedLong(result.retI32())) : null;
      Long cycles = t[1] < 0 ? null : (long) t[1];
      if (store.storeRun(id, cell, new CampaignStore.Run(r, spec.count(cell.bench()), t[0], cycles, toggles), node)) {
        log.debug("campaign {}: {} {} {} repeat {} stored", id, cell.board(), cell.bench(), cell.mode(), r);
      }
    }
  }

  /** elapsed_us and cycles (-1 when absent) of a RESULT; fails when the board reports neither. */
  private static double[] timing(DeviceLine.Result r, Cell cell, BoardState st) throws StepFailed {
    java.util.Optional<Long> cycles = extraLong(r, "cycles");
    java.util.Optional<Long> elapsed = extraLong(r, "elapsed_us");
    if (elapsed.isEmpty() && cycles.isPresent() && st.reported().containsKey("clock_mhz")) {
      elapsed = java.util.Optional.of((long) (cycles.get() / Double.parseDouble(st.reported().get("clock_mhz"))));
    }
    if (elapsed.isEmpty()) {
      throw new StepFailed("board " + st.board() + " reports no timing on RESULT (neither elapsed_us= nor cycles=;"
          + " firmware 1.0.0 has none): it cannot be benchmarked, update its firmware");
    }
    return new double[] {elapsed.get(), cycles.map(c -> (double) c).orElse(-1.0)};
  }

  private static java.util.Optional<Long> extraLong(DeviceLine.Result r, String key) {
    return r.extra().get(key).flatMap(v -> {
      try {
        return java.util.Optional.of(Long.parseLong(v));
      } catch (NumberFormatException e) {
        return java.util.Optional.empty();
      }
    });
  }

  private static Long used(DeviceLine.StatusOk s) {
    return s.pool() == null ? null : s.pool().used();
  }

  private void facts(Cell cell, BoardState st, String runtime, Long artifactBytes, Long checksum, Long total,
      Long before, Long loaded, Long running, Long highmark) {
    store.cellFacts(id, cell, new CellFacts(st.config().type(), st.config().cpu(), st.reported().get("rtos"),
        st.simulated(), st.reported().get("clock_mhz"), st.reported().get("fpu"), st.node(), runtime, artifactBytes, checksum, total,
        before, loaded, running, highmark, null));
  }

  static String runtime(String mode, boolean simulated) {
    if (simulated) {
      return mode.equals("aot") ? "Chicory compiler (simulated board; stands in for WAMR AOT)"
          : "Chicory interpreter (simulated board; stands in for WAMR interpreter)";
    }
    return mode.equals("aot") ? "WAMR (AOT)" : "WAMR (interpreter)";
  }

  // ---- the host baseline ----------------------------------------------------------------------

  private void hostCell(Cell cell, CampaignSpec spec) throws StepFailed, InterruptedException {
    CampaignStore.Module c = store.module(id, cell.bench(), "c")
        .orElseThrow(() -> new StepFailed("the campaign holds no C source for the host baseline of " + cell.bench()));
    hostCpu.acquire();
    try {
      HostBaseline program = HostBaseline.build(cell.bench(), c.bytes(), workDir.resolve(id));
      long count = spec.count(cell.bench());
      HostBaseline.Figure warm = program.run(count);
      store.cellFacts(id, cell, new CellFacts("host", cpuModel(), System.getProperty("os.name"), false, null, null,
          node, "Native C (host, cc -O3)",
          null, warm.checksum(), null, null, null, null, null, null));
      Set<Integer> stored = store.storedRepeats(id, cell);
      for (int r = 1; r <= spec.repeats(); r++) {
        if (stored.contains(r)) {
          continue;
        }
        HostBaseline.Figure f = program.run(count);
        store.storeRun(id, cell, new CampaignStore.Run(r, count, f.nsPerIteration() * count / 1000.0, null,
            cell.bench().equals("toggle") ? count : null), node);
      }
    } finally {
      hostCpu.release();
    }
  }

  /** The host's CPU as /proc/cpuinfo names it. */
  static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (java.io.IOException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }
}
