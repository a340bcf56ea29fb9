package io.wasmfleet.sim.board;

import com.dylibso.chicory.wasm.types.FunctionType;
import io.wasmfleet.protocol.Crc32;
import io.wasmfleet.protocol.DeviceLine;
import io.wasmfleet.protocol.DeviceLine.Hello;
import io.wasmfleet.protocol.DeviceLine.LoadErr;
import io.wasmfleet.protocol.DeviceLine.LoadOk;
import io.wasmfleet.protocol.DeviceLine.LoadReady;
import io.wasmfleet.protocol.DeviceLine.Result;
import io.wasmfleet.protocol.DeviceLine.StatusOk;
import io.wasmfleet.protocol.DeviceLine.StopOk;
import io.wasmfleet.protocol.GatewayCommand;
import io.wasmfleet.protocol.GatewayCommand.Load;
import io.wasmfleet.protocol.GatewayCommand.Start;
import io.wasmfleet.protocol.WireFormatException;
import io.wasmfleet.protocol.WireLine;
import io.wasmfleet.protocol.WireParams;
import io.wasmfleet.protocol.load2.Load2Frame;
import io.wasmfleet.protocol.load2.Load2Receiver;
import io.wasmfleet.sim.exec.Footprint;
import io.wasmfleet.sim.exec.Outcome;
import io.wasmfleet.sim.exec.WasmProgram;
import io.wasmfleet.sim.link.Pacer;
import io.wasmfleet.wasm.AotFile;
import io.wasmfleet.wasm.PayloadKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated NUCLEO board running the agent firmware 1.0.0, as the gateway sees it through
 * its UART: the same lines, codes, messages and ordering as agent-wire-protocol-v1.md, real
 * pool arithmetic, wasm really executed by Chicory, and faults on demand.
 *
 * <p>The firmware's reading thread is a sequence of short steps on {@link SimThreads} (one
 * step of this board at a time): bytes arriving on the UART schedule a step, which reads lines
 * and LOAD payloads and answers commands; the delay fault and the LOAD timeout are timers that
 * schedule the next step, never a sleeping thread. Each job runs on its own worker, as on the
 * firmware; a timer escalates a STOP to a forced stop. All slot and pool changes, and every
 * line they print, happen under one state lock, so START_OK always precedes its RESULT and
 * STOP_OK its RESULT.
 *
 * <p>Its parts: {@link RxBuffer} (the UART's receive ring), {@link UartOut} (the sending side:
 * pacing, hang and hold, the link attached now), {@link Load2Uploads} (LOAD v2's keys, held
 * bytes and signature check), {@link WamrPool} (the pool arithmetic), {@link Slot} and
 * {@link LoadedModule} (what a slot holds and runs), {@link Faults}.
 */
public final class SimulatedBoard implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SimulatedBoard.class);
  private static final String SIM_PREFIX = "SIM_";

  private final String id;
  private final BoardProfile profile;
  private final Faults faults;
  private final RxBuffer rx = new RxBuffer(16 * 1024);
  private final UartOut out;
  private final Object state = new Object();
  private final Slot[] slots;
  private final ScheduledExecutorService threads = SimThreads.shared();

  // the firmware's reading side: touched only inside a step (see step())
  private final AtomicBoolean stepping = new AtomicBoolean();
  private final ConcurrentLinkedQueue<Runnable> continuations = new ConcurrentLinkedQueue<>();
  private final StringBuilder lineSoFar = new StringBuilder();
  /** After a reboot that cut a line or an upload: the bytes up to the next \n are the rest of it. */
  private boolean skipLine;
  private long seenEpoch;
  private Upload upload;
  private boolean paused;
  private final AtomicReference<Runnable> rxSpaceWaiter = new AtomicReference<>();

  // guarded by state
  private WamrPool pool;
  private long boots;

  private volatile boolean closed;

  public SimulatedBoard(String id, BoardProfile profile, Faults faults, boolean uartPacing) {
    this.id = id;
    this.profile = profile;
    this.faults = faults;
    this.load2 = new Load2Uploads(id, profile);
    this.out = new UartOut(uartPacing ? new Pacer(profile.nanosPerUartByte()) : Pacer.none(), threads);
    this.slots = new Slot[profile.slots()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Slot(i);
    }
    synchronized (state) {
      boot();
    }
  }

  public String id() {
    return id;
  }

  public BoardProfile profile() {
    return profile;
  }

  public Faults faults() {
    return faults;
  }

  // ---- the wire ---------------------------------------------------------------------------

  /** A link connected: output goes there, starting with a HELLO nobody has seen yet. */
  public void attach(Uplink up) {
    out.attach(up);
  }

  /** A link went away; output is lost until the next one, as on an unconnected UART. */
  public void detach(Uplink up) {
    out.detach(up);
  }

  /** Bytes arriving on the UART from a reader that may wait: blocks while the buffer is full. */
  public void receive(byte[] data, int offset, int length) throws InterruptedException {
    rx.push(data, offset, length, this::schedule);
  }

  /**
   * Bytes arriving on the UART from a link that must not wait: takes what fits in the receive
   * buffer and returns how many bytes that was. After a short count, call {@link #whenRxSpace}.
   */
  public int offer(byte[] data, int offset, int length) {
    int n = rx.offer(data, offset, length);
    if (n > 0) {
      schedule();
    }
    return n;
  }

  /** Runs {@code then} (once, on a shared thread) when the receive buffer has room again. */
  public void whenRxSpace(Runnable then) {
    rxSpaceWaiter.set(then);
    if (rx.hasSpace()) {
      Runnable r = rxSpaceWaiter.getAndSet(null);
      if (r != null) {
        threads.execute(r);
      }
    }
  }

  /** Prints one line on the UART (held back while the board hangs). */
  private void emit(String line) {
    out.print(line);
  }

  /** A reply to a command: console noise may come first (noise fault). */
  private void reply(String line) {
    String noise = faults.noiseLine();
    if (noise != null) {
      emit(noise);
    }
    emit(line);
  }

  /**
   * The delay fault: the board takes this long before answering. Runs {@code then} after the
   * delay, reading nothing meanwhile (the firmware is busy), or at once without the fault.
   */
  private void afterDelayFault(Runnable then) {
    Duration delay = faults.delay();
    if (delay.isZero()) {
      then.run();
      return;
    }
    paused = true;
    long epoch = seenEpoch;
    threads.schedule(() -> continueWith(epoch, () -> {
      paused = false;
      then.run();
    }), delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  // ---- boot and the firmware loop -----------------------------------------------------------

  /** Lines since the last boot that were not a command (SIM_INFO {@code unknown_commands}). */
  private final java.util.concurrent.atomic.AtomicLong unknownCommands = new java.util.concurrent.atomic.AtomicLong();
  /** Lines read since the last boot (SIM_INFO {@code lines_read}). */
  private final java.util.concurrent.atomic.AtomicLong linesRead = new java.util.concurrent.atomic.AtomicLong();

  private void boot() {
    boots++;
    unknownCommands.set(0);
    linesRead.set(0);
    pool = new WamrPool(profile.wamrPool(), profile.runtimeReserved());
    pool.shrinkBy(faults.poolShrink());
    WireParams.Builder helloKeys = WireParams.builder();
    if (profile.extensions()) {
      helloKeys.add("board", profile.name()).add("sim", 1);
    }
    if (profile.load2()) {
      helloKeys.add("caps", "load2");
    }
    String hello = new Hello(id, profile.rtos(), profile.runtime(), profile.fwVersion(), helloKeys.build()).format();
    load2.reboot(); // a reboot loses what an interrupted upload left
    out.boot(hello);
  }

  /** Reboots: every job aborted, every module lost, the pool fresh, HELLO printed. */
  public void reboot() {
    synchronized (state) {
      for (Slot slot : slots) {
        if (slot.module != null) {
          slot.module.abortWorker();
        }
        slot.module = null;
        slot.job = null;
      }
      rx.reset(profile.load2()); // our firmware reads on from what its UART holds (see step())
      boot();
    }
    schedule();
    log.info("board {}: rebooted", id);
  }

  // ---- the firmware's reading side, as steps ------------------------------------------------

  /** Asks for a step of this board on a shared thread, unless one is scheduled or running. */
  private void schedule() {
    if (!closed && stepping.compareAndSet(false, true)) {
      threads.execute(this::step);
    }
  }

  /** Runs {@code then} in a later step, unless the board rebooted since {@code epoch}. */
  private void continueWith(long epoch, Runnable then) {
    continuations.add(() -> {
      if (epoch == seenEpoch) {
        then.run();
      }
    });
    schedule();
  }

  /** One step: what timers left to do, then the bytes received, until a pause or no input. */
  private void step() {
    try {
      long epoch = rx.epoch();
      if (epoch != seenEpoch) {
        seenEpoch = epoch; // a reboot: whatever was half read is gone
        // Firmware 1.0.0 lost what its UART held and reads the rest as lines. Ours (a LOAD v2
        // board) keeps it, and drops the bytes up to the next \n when bytes came before its HELLO
        // went out: the rest of a line or frame that was on the wire, never a command.
        skipLine = profile.load2() && (!lineSoFar.isEmpty() || upload != null || !rx.isEmpty());
        lineSoFar.setLength(0);
        upload = null;
        paused = false;
      }
      Runnable next;
      while ((next = continuations.poll()) != null) {
        next.run();
      }
      readInput();
    } catch (RuntimeException e) {
      log.error("board {}: unexpected failure handling input; the board keeps running", id, e);
    } finally {
      stepping.set(false);
    }
    if (!continuations.isEmpty() || (!paused && !rx.isEmpty()) || rx.epoch() != seenEpoch) {
      schedule();
    }
    if (rxSpaceWaiter.get() != null && rx.hasSpace()) {
      Runnable r = rxSpaceWaiter.getAndSet(null);
      if (r != null) {
        r.run();
      }
    }
  }

  private void readInput() {
    int b;
    while (!paused && !closed && (b = rx.poll(seenEpoch)) >= 0) {
      if (upload != null) {
        payloadByte(upload, b);
      } else {
        lineByte(b);
      }
    }
  }

  /** A line as firmware 1.0.0 reads it: {@code \n} or {@code \r} ends it, the rest is cut. A
   * LOAD v2 board reads a line that begins with 0xA5 as a frame: only {@code \n} ends it. */
  private void lineByte(int b) {
    if (skipLine) {
      skipLine = b != '\n';
      return;
    }
    boolean frame = profile.load2() && !lineSoFar.isEmpty() && lineSoFar.charAt(0) == Load2Frame.MARK;
    if (b == '\n' || b == '\r' && !frame) {
      String line = lineSoFar.toString();
      lineSoFar.setLength(0);
      if (!line.isEmpty() && !frame) {
        handle(line); // a LOAD v2 frame outside an upload (the upload given up) begins no command
      }
    } else if (lineSoFar.length() < profile.maxLine()) {
      lineSoFar.append((char) b);
    }
  }

  private void handle(String line) {
    linesRead.incrementAndGet();
    int space = line.indexOf(' ');
    String keyword = space < 0 ? line : line.substring(0, space);
    boolean admin = keyword.startsWith(SIM_PREFIX);
    if (out.hung() && !admin) {
      return;
    }
    switch (keyword) {
      case "LOAD" -> afterDelayFault(() -> onLoad(line));
      case "START" -> afterDelayFault(() -> onStart(line));
      case "STOP" -> afterDelayFault(() -> onStop(line));
      case "STATUS" -> afterDelayFault(() -> reply(status().format()));
      default -> {
        if (admin) {
          adminFromWire(line);
        } else {
          unknownCommands.incrementAndGet();
          afterDelayFault(() -> reply(
              new DeviceLine.DeviceError(DeviceLine.DeviceError.UNKNOWN_COMMAND, WireParams.EMPTY).format()));
        }
      }
    }
  }

  // ---- LOAD -------------------------------------------------------------------------------

  private static String loadErr(String code, String msg) {
    return new LoadErr(code, msg).format();
  }

  /** A LOAD whose payload is being read: where it goes, and the bytes so far. */
  private static final class Upload {
    final Load load;
    final Slot target;
    final String warn;
    final WamrPool.Block block;
    final byte[] buf;
    /** A LOAD v2 upload's receiver, and its lines; null for v1. */
    final Load2Receiver v2;
    final Load2Uploads.Lines lines;
    /** Where a resumed LOAD v2 upload started (0 when it did not resume). */
    final int resumedAt;
    int got;
    long index;
    long deadline;

    Upload(Load load, Slot target, String warn, WamrPool.Block block, long deadline, Load2Receiver v2) {
      this.load = load;
      this.target = target;
      this.warn = warn;
      this.block = block;
      this.buf = new byte[(int) load.size()];
      this.deadline = deadline;
      this.v2 = v2;
      this.lines = v2 == null ? null : new Load2Uploads.Lines(v2.chunk());
      this.resumedAt = v2 == null ? 0 : v2.offset();
    }
  }

  /** LOAD v2's keys, held bytes and signature check; touched by the board's stepping thread only. */
  private final Load2Uploads load2;

  private void onLoad(String line) {
    Load load;
    Load2Uploads.Ask ask;
    try {
      load = (Load) GatewayCommand.parse(line);
      ask = load2.ask(load);
    } catch (IllegalArgumentException e) { // a WireFormatException, or a malformed v2 key
      reply(loadErr("BAD_PARAMS", e.getMessage()));
      return;
    }
    Load2Receiver v2 = null;
    String unsigned = load2.unsigned(ask);
    if (unsigned != null) {
      reply(unsigned);
      return;
    }
    Slot target;
    String warn = null;
    WamrPool.Block payloadBlock;
    synchronized (state) {
      Slot existing = find(load.moduleId());
      if (existing != null) {
        if (existing.job != null && !load.replace()) {
          reply(loadErr("BUSY", "module running"));
          return;
        }
        if (load.replaceVictim() != null) {
          warn = LoadOk.VICTIM_IGNORED;
        }
        evict(existing);
        target = existing;
      } else {
        target = freeSlot();
        if (target == null) {
          if (!load.replace()) {
            reply(loadErr("NO_SLOT", "MAX_MODULES reached"));
            return;
          }
          if (load.replaceVictim() == null) {
            reply(loadErr("FULL", "NEED_VICTIM"));
            return;
          }
          Slot victim = find(load.replaceVictim());
          if (victim == null) {
            reply(loadErr("BAD_VICTIM", "NOT_FOUND"));
            return;
          }
          evict(victim);
          target = victim;
        }
      }
      Load2Uploads.Held held = load2.resume(load, ask);
      Optional<WamrPool.Block> block = held != null ? Optional.of(held.block()) : pool.allocate("payload", load.size());
      if (block.isEmpty()) {
        reply(loadErr("NO_MEM", String.format(Locale.ROOT, "payload free=%d need=%d",
            pool.free(), WamrPool.cost(load.size()))));
        return;
      }
      payloadBlock = block.get();
      WireParams readyKeys = WireParams.EMPTY;
      if (ask != null) {
        v2 = ask.receiver(load, held);
        readyKeys = ask.readyKeys(held);
      }
      reply(new LoadReady(load.moduleId(), load.size(), load.crc32(), readyKeys).format());
    }
    Upload u = new Upload(load, target, warn, payloadBlock,
        System.nanoTime() + profile.loadTimeout().toNanos(), v2);
    upload = u;
    if (u.buf.length == 0) {
      payloadDone(u);
    } else {
      watchDeadline(u);
    }
  }

  /**
   * Firmware 1.0.0 gives the whole payload {@code load-timeout}; an {@code inactivity} profile
   * restarts it per byte. Checked when the deadline passes, after the bytes already received.
   */
  private void watchDeadline(Upload u) {
    long epoch = seenEpoch;
    threads.schedule(() -> continueWith(epoch, () -> {
      if (upload != u) {
        return;
      }
      readInput();
      if (upload != u) {
        return;
      }
      if (System.nanoTime() - u.deadline < 0) {
        watchDeadline(u);
        return;
      }
      upload = null;
      boolean keep = u.v2 != null && load2.hold(u.load, u.v2, u.block);
      afterDelayFault(() -> {
        if (!keep) {
          u.block.free();
        }
        reply(loadErr("TIMEOUT", u.v2 == null ? "binary payload not received" : "idle at offset=" + u.v2.offset()));
      });
    }), Math.max(0, u.deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void payloadByte(Upload u, int b) {
    if (profile.loadTimeoutKind() == BoardProfile.LoadTimeout.INACTIVITY && u.v2 == null) {
      u.deadline = System.nanoTime() + profile.loadTimeout().toNanos();
    }
    if (faults.rebootAt(u.index++)) {
      log.info("board {}: reboot fault at payload byte {}", id, u.index - 1);
      reboot(); // the next step sees the new epoch, and the upload it cut
      return;
    }
    switch (faults.payloadByte()) {
      case DROP -> {
        return;
      }
      case CORRUPT -> b = faults.corrupt(b);
      case KEEP -> { }
    }
    if (u.v2 != null) {
      frameByte(u, b);
      return;
    }
    u.buf[u.got++] = (byte) b;
    if (u.got == u.buf.length) {
      payloadDone(u);
    }
  }

  /** A LOAD v2 byte: each frame is answered; a whole module is checked. */
  private void frameByte(Upload u, int b) {
    byte[] frame = u.lines.take(b);
    if (frame == null) {
      return;
    }
    u.deadline = System.nanoTime() + profile.loadTimeout().toNanos(); // "no frame for 5 s"
    String answer = u.v2.onFrame(frame, frame.length);
    if (answer != null) {
      reply(answer);
    }
    if (u.v2.complete()) {
      upload = null;
      String bad = load2.verify(u.v2);
      if (bad != null) {
        u.block.free();
        reply(bad);
        return;
      }
      System.arraycopy(u.v2.module(), 0, u.buf, 0, u.buf.length);
      u.got = u.buf.length;
      payloadDone(u);
    }
  }

  private void payloadDone(Upload u) {
    upload = null;
    long epoch = seenEpoch;
    afterDelayFault(() -> {
      Load load = u.load;
      int crc = Crc32.of(u.buf);
      if (crc != load.crc32()) {
        u.block.free();
        reply(loadErr("BAD_CRC", "expected=" + Crc32.hex(load.crc32()) + " got=" + Crc32.hex(crc)));
        return;
      }
      Prepared prepared = prepare(u.buf, load);
      synchronized (state) {
        if (rx.epoch() != epoch) {
          return; // rebooted meanwhile: the pool and the slots are new
        }
        String error = install(u.target, load, u.block, prepared);
        if (error != null) {
          u.block.free();
          reply(error);
          return;
        }
        // LOAD v2 names what it loaded: the digest it checked
        WireParams loaded = u.v2 == null ? WireParams.EMPTY : WireParams.builder().add("sha256", Load2Uploads.sha256(load))
            .add("resumed_at", u.resumedAt > 0 ? u.resumedAt : null).build();
        reply(new LoadOk(u.warn, u.warn == null ? null : load.replaceVictim(), loaded).format());
      }
    });
  }

  /** A payload read into a program (or a native AOT file), or the LOAD_ERR that refuses it. */
  private record Prepared(WasmProgram program, String nativeAotArch, Footprint footprint, String error) {}

  private Prepared prepare(byte[] payload, Load load) {
    switch (PayloadKind.of(payload)) {
      case WASM -> {
        WasmProgram.Mode mode = load.extra().get("sim_exec")
            .map(v -> v.equals("compiled") ? WasmProgram.Mode.COMPILED : WasmProgram.Mode.INTERPRETER)
            .orElse(profile.execution());
        try {
          WasmProgram program = WasmProgram.load(payload, mode);
          return new Prepared(program, null, program.footprint(profile), null);
        } catch (WasmProgram.LoadFailure e) {
          return new Prepared(null, null, null, loadErr("LOAD_FAIL", e.getMessage()));
        }
      }
      case AOT -> {
        try {
          AotFile aot = AotFile.read(payload);
          Optional<String> mismatch = aot.mismatchFor(profile.arch(), profile.elfMachine());
          if (mismatch.isPresent()) {
            return new Prepared(null, null, null,
                loadErr("LOAD_FAIL", "AOT module load failed: " + mismatch.get()));
          }
          Footprint f = new Footprint(1024 + payload.length, 512 + profile.appHeap() + 4096,
              profile.execEnv() + profile.wasmStack());
          return new Prepared(null, aot.arch(), f, null);
        } catch (AotFile.MalformedAotException e) {
          return new Prepared(null, null, null, loadErr("LOAD_FAIL", "AOT module load failed: " + e.getMessage()));
        }
      }
      default -> {
        return new Prepared(null, null, null,
            loadErr("LOAD_FAIL", "WASM module load failed: magic header not detected"));
      }
    }
  }

  /** Puts a prepared module into {@code target}; the LOAD_ERR line when it cannot. */
  private String install(Slot target, Load load, WamrPool.Block payloadBlock, Prepared p) {
    if (p.error() != null) {
      return p.error();
    }
    String kind = p.program() != null ? "WASM" : "AOT";
    Optional<WamrPool.Block> meta = pool.allocate("module", p.footprint().module());
    if (meta.isEmpty()) {
      return loadErr("LOAD_FAIL", kind + " module load failed: allocate memory failed");
    }
    Optional<WamrPool.Block> inst = pool.allocate("instance", p.footprint().instance());
    if (inst.isEmpty()) {
      meta.get().free();
      return loadErr("INSTANTIATE_FAIL", kind + " module instantiate failed: allocate memory failed");
    }
    LoadedModule m = new LoadedModule(load.moduleId(), (int) load.size(), p.program(),
        p.nativeAotArch(), List.of(payloadBlock, meta.get(), inst.get()), this::emit);
    if (p.program() != null) {
      try {
        m.instance = p.program().instantiate(m);
      } catch (WasmProgram.LoadFailure e) {
        meta.get().free();
        inst.get().free();
        return loadErr("INSTANTIATE_FAIL", e.getMessage());
      }
    }
    Optional<WamrPool.Block> env = pool.allocate("exec_env", p.footprint().execEnv());
    if (env.isEmpty()) {
      meta.get().free();
      inst.get().free();
      return loadErr("NO_EXEC_ENV", "create_exec_env failed");
    }
    m.execEnv = env.get();
    target.module = m;
    return null;
  }

  /** Empties a slot: a running job is force-stopped (and says so), the module unloaded. */
  private void evict(Slot slot) {
    if (slot.job != null) {
      emit(forcedResult(slot));
      slot.job = null;
    }
    if (slot.module != null) {
      slot.module.free();
      slot.module = null;
    }
  }

  private Slot find(String moduleId) {
    for (Slot s : slots) {
      if (s.holds(moduleId)) {
        return s;
      }
    }
    return null;
  }

  private Slot freeSlot() {
    for (Slot s : slots) {
      if (s.module == null) {
        return s;
      }
    }
    return null;
  }

  // ---- START, STOP, RESULT ----------------------------------------------------------------

  /** A RESULT firmware 1.0.0 prints without module_id; ours appends it (extensions). */
  private String result(String status, String moduleId, String msg) {
    return new Result(status, false, profile.extensions() ? moduleId : null, null, null, msg, WireParams.EMPTY)
        .format();
  }

  private void onStart(String line) {
    Start start;
    try {
      start = (Start) GatewayCommand.parse(line);
    } catch (WireFormatException e) {
      boolean noId = e.field().equals("module_id") && e.problem() == WireFormatException.Problem.MISSING;
      String moduleId = WireLine.tokenize(line).flatMap(w -> w.params().get("module_id")).orElse(null);
      reply(result("BAD_PARAMS", noId ? null : moduleId, noId ? "missing module_id" : e.getMessage()));
      return;
    }
    synchronized (state) {
      Slot slot = find(start.moduleId());
      if (slot == null) {
        reply(result("NO_MODULE", start.moduleId(), null));
        return;
      }
      if (slot.job != null) {
        reply(result("BUSY", start.moduleId(), null));
        return;
      }
      LoadedModule m = slot.module;
      long free = pool.free();
      long guard = m.execEnv == null ? profile.startGuardWithoutExecEnv() : profile.startGuardWithExecEnv();
      if (free < guard) {
        reply(result("NO_MEM", start.moduleId(), String.format(Locale.ROOT,
            "free=%d need>=%d exec_env=%s", free, guard, m.execEnv == null ? "no" : "yes")));
        return;
      }
      String func = start.func();
      if (func == null) {
        if (m.program != null && m.program.exportedFunction("app_main").isEmpty()) {
          reply(result("NO_ENTRYPOINT", start.moduleId(),
              start.args().isEmpty() ? "expected app_main" : "args require app_main"));
          return;
        }
        func = "app_main";
      }
      reply(new DeviceLine.StartOk(WireParams.EMPTY).format());
      if (m.execEnv == null) {
        Optional<WamrPool.Block> env = pool.allocate("exec_env", profile.execEnv() + profile.wasmStack());
        if (env.isEmpty()) {
          emit(result("NO_EXEC_ENV", m.id, "free=" + pool.free()));
          return;
        }
        m.execEnv = env.get();
      }
      if (m.program == null) {
        emit(new Result("EXCEPTION", false, m.id, func, null,
            "simulator cannot execute native " + m.nativeAotArch + " AOT code", WireParams.EMPTY).format());
        return;
      }
      Optional<FunctionType> type = m.program.exportedFunction(func);
      if (type.isEmpty()) {
        emit(result("NO_FUNC", m.id, null));
        return;
      }
      Slot.Job job = new Slot.Job(func, m.toggles.get());
      slot.job = job;
      int[] args = start.args().values();
      Thread worker = new Thread(() -> runJob(slot, m, job, type.get(), args),
          "sim-" + id + "-slot" + slot.index);
      worker.setDaemon(true);
      m.runOn(worker);
      worker.start();
    }
  }

  private void runJob(Slot slot, LoadedModule m, Slot.Job job, FunctionType type, int[] args) {
    Outcome outcome = WasmProgram.call(m.instance, job.func, type, args);
    synchronized (state) {
      if (slot.job != job) {
        return; // force-stopped, evicted or rebooted: already answered
      }
      slot.job = null;
      m.runOn(null);
      emit(new Result(outcome.status(), false, m.id, job.func, outcome.retI32(), outcome.msg(),
          timing(m, job)).format());
    }
  }

  private WireParams timing(LoadedModule m, Slot.Job job) {
    if (!profile.extensions()) {
      return WireParams.EMPTY;
    }
    long toggles = m.toggles.get() - job.togglesAtStart;
    return WireParams.builder()
        .add("elapsed_us", job.elapsedMicros())
        .add("toggles", toggles > 0 ? toggles : null)
        .build();
  }

  private String forcedResult(Slot slot) {
    return new Result("STOPPED", true, slot.module.id, slot.job.func, null, null,
        timing(slot.module, slot.job)).format();
  }

  private void onStop(String line) {
    String moduleId = WireLine.tokenize(line).flatMap(w -> w.params().get("module_id")).orElse(null);
    if (moduleId == null) {
      reply(new StopOk("NO_JOB", WireParams.EMPTY).format());
      return;
    }
    synchronized (state) {
      Slot slot = find(moduleId);
      if (slot == null || slot.job == null) {
        reply(new StopOk("IDLE", WireParams.EMPTY).format());
        return;
      }
      reply(new StopOk(StopOk.PENDING, WireParams.EMPTY).format());
      Slot.Job job = slot.job;
      LoadedModule m = slot.module;
      m.terminateWorker();
      threads.schedule(() -> forceIfStillRunning(slot, job),
          profile.forcedStopAfter().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /**
   * No RESULT within {@code forced-stop-after}: the worker is aborted, the module
   * re-instantiated (it stays loaded, without an exec env) and the forced RESULT printed.
   */
  private void forceIfStillRunning(Slot slot, Slot.Job job) {
    synchronized (state) {
      if (slot.job != job) {
        return;
      }
      LoadedModule m = slot.module;
      emit(forcedResult(slot));
      slot.job = null;
      m.abortWorker();
      if (m.execEnv != null) {
        m.execEnv.free();
        m.execEnv = null;
      }
      try {
        m.instance = m.program.instantiate(m);
      } catch (WasmProgram.LoadFailure e) {
        log.warn("board {}: re-instantiating {} after a forced stop failed: {}", id, m.id, e.getMessage());
      }
    }
  }

  // ---- STATUS -----------------------------------------------------------------------------

  /** The board's own STATUS, as it would answer now (the truth a gateway's view is checked against). */
  public StatusOk status() {
    synchronized (state) {
      List<StatusOk.ModuleEntry> modules = new ArrayList<>();
      List<String> lowStack = new ArrayList<>();
      List<String> execution = new ArrayList<>();
      for (Slot s : slots) {
        if (s.module == null) {
          continue;
        }
        long stackFree = profile.workerStack() - profile.workerStackUsed();
        modules.add(new StatusOk.ModuleEntry(s.module.id, s.job != null ? "RUNNING" : "LOADED",
            s.module.size, stackFree));
        if (stackFree < profile.lowStackBelow()) {
          lowStack.add(s.module.id);
        }
        execution.add(s.module.id + ":" + s.module.execution());
      }
      WireParams.Builder extra = WireParams.builder();
      if (profile.extensions()) {
        extra.quoted("sim_exec", execution.isEmpty() ? "none" : String.join(",", execution));
      }
      if (profile.load2()) {
        extra.add("caps", "load2");
      }
      return new StatusOk(modules, lowStack,
          new StatusOk.PoolFigures(pool.total(), pool.free(), pool.used(), pool.highmark()), extra.build());
    }
  }

  // ---- the admin interface (SIM_*): a real board answers ERROR code=UNKNOWN_COMMAND --------

  /** Admin replies are out of band: they go out even while the board hangs. */
  private void adminFromWire(String line) {
    String keyword = line.split(" ", 2)[0];
    switch (keyword) {
      case "SIM_HANG" -> {
        emitAdminReply("SIM_OK action=hang");
        hang();
      }
      case "SIM_REBOOT" -> {
        emitAdminReply("SIM_OK action=reboot");
        reboot();
      }
      case "SIM_RELEASE" -> {
        emitAdminReply("SIM_OK action=release");
        release();
      }
      default -> emitAdminReply(admin(line));
    }
  }

  private void emitAdminReply(String line) {
    out.printAlways(line);
  }

  /**
   * Runs an admin command and returns its reply line: {@code SIM_FAULT key=value...},
   * {@code SIM_REBOOT}, {@code SIM_HANG}, {@code SIM_RELEASE}, {@code SIM_INFO}. Callable from
   * any thread (the process admin port, tests); replies {@code SIM_ERR msg="..."} on bad input.
   */
  public String admin(String line) {
    Optional<WireLine> wl = WireLine.tokenize(line);
    if (wl.isEmpty()) {
      return "SIM_ERR msg=\"cannot read the admin line\"";
    }
    switch (wl.get().keyword()) {
      case "SIM_FAULT" -> {
        try {
          faults.apply(wl.get().params());
        } catch (IllegalArgumentException e) {
          return "SIM_ERR" + WireParams.builder().quoted("msg", e.getMessage()).build().format();
        }
        synchronized (state) {
          pool.shrinkBy(faults.poolShrink());
        }
        return "SIM_OK" + faults.describe().format();
      }
      case "SIM_REBOOT" -> {
        reboot();
        return "SIM_OK action=reboot";
      }
      case "SIM_HANG" -> {
        hang();
        return "SIM_OK action=hang";
      }
      case "SIM_RELEASE" -> {
        release();
        return "SIM_OK action=release";
      }
      case "SIM_INFO" -> {
        return "SIM_OK" + info().format();
      }
      default -> {
        return "SIM_ERR msg=\"unknown admin command " + wl.get().keyword() + "\"";
      }
    }
  }

  private WireParams info() {
    synchronized (state) {
      List<String> toggles = new ArrayList<>();
      List<String> running = new ArrayList<>();
      for (Slot s : slots) {
        if (s.module != null) {
          toggles.add(s.module.id + ":" + s.module.toggles.get());
        }
        if (s.job != null) {
          running.add(s.module.id);
        }
      }
      boolean isHung = out.hung();
      return WireParams.builder()
          .add("device_id", id)
          .add("board", profile.name())
          .add("cpu", profile.cpu())
          .add("boots", boots)
          .add("lines_read", linesRead.get())
          .add("unknown_commands", unknownCommands.get())
          .add("hung", isHung ? 1 : 0)
          .quoted("toggles", toggles.isEmpty() ? "none" : String.join(",", toggles))
          .quoted("running", running.isEmpty() ? "none" : String.join(",", running))
          .addAll(faults.describe())
          .build();
    }
  }

  /** Stops answering: input is dropped (admin lines excepted), output held until release. */
  public void hang() {
    out.hang();
  }

  public void release() {
    out.release();
  }

  @Override
  public void close() {
    closed = true;
    rx.close();
    rxSpaceWaiter.set(null);
    synchronized (state) {
      for (Slot s : slots) {
        if (s.module != null) {
          s.module.abortWorker();
        }
      }
    }
  }
}
