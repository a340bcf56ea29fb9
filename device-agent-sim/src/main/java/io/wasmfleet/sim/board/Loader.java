package io.wasmfleet.sim.board;

import io.wasmfleet.protocol.Crc32;
import io.wasmfleet.protocol.DeviceLine.LoadErr;
import io.wasmfleet.protocol.DeviceLine.LoadOk;
import io.wasmfleet.protocol.DeviceLine.LoadReady;
import io.wasmfleet.protocol.GatewayCommand.Load;
import io.wasmfleet.protocol.GatewayCommand;
import io.wasmfleet.protocol.WireParams;
import io.wasmfleet.protocol.load2.Load2Receiver;
import io.wasmfleet.sim.exec.Footprint;
import io.wasmfleet.sim.exec.WasmProgram;
import io.wasmfleet.wasm.AotFile;
import io.wasmfleet.wasm.PayloadKind;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LOAD, v1 and v2: the slot and pool checks, LOAD_READY, the payload read byte by byte (v1) or
 * frame by frame (v2), the CRC, the module loaded and instantiated with WAMR's pool accounting,
 * LOAD_OK or LOAD_ERR. The payload's bytes come from the firmware's reading steps; the upload
 * in progress is touched only by them.
 */
final class Loader {

  private static final Logger log = LoggerFactory.getLogger(Loader.class);

  /** What a LOAD needs of the firmware's reading side. */
  interface Firmware {

    /** The boot the current reading step belongs to. */
    long epoch();

    /** True when the board rebooted after {@code epoch}. */
    boolean rebootedSince(long epoch);

    /** Runs {@code then} in a later reading step, unless the board rebooted since {@code epoch}. */
    void continueWith(long epoch, Runnable then);

    /** Runs {@code then} after the delay fault (at once without it), reading nothing meanwhile. */
    void afterDelayFault(Runnable then);

    /** Reads what the UART holds now. */
    void readInput();

    void reboot();
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

  /** A payload read into a program (or a native AOT file), or the LOAD_ERR that refuses it. */
  private record Prepared(WasmProgram program, String nativeAotArch, Footprint footprint, String error) {}

  private final String id;
  private final BoardProfile profile;
  private final Faults faults;
  private final Modules modules;
  private final Jobs jobs;
  private final Replies out;
  private final ScheduledExecutorService threads;
  private final Firmware firmware;
  /** LOAD v2's keys, held bytes and signature check. */
  private final Load2Uploads load2;
  private Upload upload;

  Loader(String id, BoardProfile profile, Faults faults, Modules modules, Jobs jobs, Replies out,
      ScheduledExecutorService threads, Firmware firmware) {
    this.id = id;
    this.profile = profile;
    this.faults = faults;
    this.modules = modules;
    this.jobs = jobs;
    this.out = out;
    this.threads = threads;
    this.firmware = firmware;
    this.load2 = new Load2Uploads(id, profile);
  }

  /** True while a payload is being read: the next bytes are its. */
  boolean uploading() {
    return upload != null;
  }

  /** A reboot: the upload in progress is gone. */
  void forgetUpload() {
    upload = null;
  }

  /** A boot: LOAD v2's held bytes are lost with the RAM. */
  void boot() {
    load2.reboot();
  }

  private static String loadErr(String code, String msg) {
    return new LoadErr(code, msg).format();
  }

  void onLoad(String line) {
    Load load;
    Load2Uploads.Ask ask;
    try {
      load = (Load) GatewayCommand.parse(line);
      ask = load2.ask(load);
    } catch (IllegalArgumentException e) { // a WireFormatException, or a malformed v2 key
      out.reply(loadErr("BAD_PARAMS", e.getMessage()));
      return;
    }
    Load2Receiver v2 = null;
    String unsigned = load2.unsigned(ask);
    if (unsigned != null) {
      out.reply(unsigned);
      return;
    }
    Slot target;
    String warn = null;
    WamrPool.Block payloadBlock;
    synchronized (modules) {
      Slot existing = modules.find(load.moduleId());
      if (existing != null) {
        if (existing.job != null && !load.replace()) {
          out.reply(loadErr("BUSY", "module running"));
          return;
        }
        if (load.replaceVictim() != null) {
          warn = LoadOk.VICTIM_IGNORED;
        }
        jobs.evict(existing);
        target = existing;
      } else {
        target = modules.freeSlot();
        if (target == null) {
          if (!load.replace()) {
            out.reply(loadErr("NO_SLOT", "MAX_MODULES reached"));
            return;
          }
          if (load.replaceVictim() == null) {
            out.reply(loadErr("FULL", "NEED_VICTIM"));
            return;
          }
          Slot victim = modules.find(load.replaceVictim());
          if (victim == null) {
            out.reply(loadErr("BAD_VICTIM", "NOT_FOUND"));
            return;
          }
          jobs.evict(victim);
          target = victim;
        }
      }
      WamrPool pool = modules.pool();
      Load2Uploads.Held held = load2.resume(load, ask);
      Optional<WamrPool.Block> block = held != null ? Optional.of(held.block()) : pool.allocate("payload", load.size());
      if (block.isEmpty()) {
        out.reply(loadErr("NO_MEM", String.format(Locale.ROOT, "payload free=%d need=%d",
            pool.free(), WamrPool.cost(load.size()))));
        return;
      }
      payloadBlock = block.get();
      WireParams readyKeys = WireParams.EMPTY;
      if (ask != null) {
        v2 = ask.receiver(load, held);
        readyKeys = ask.readyKeys(held);
      }
      out.reply(new LoadReady(load.moduleId(), load.size(), load.crc32(), readyKeys).format());
    }
    Upload u = new Upload(load, target, warn, payloadBlock, System.nanoTime() + profile.loadTimeout().toNanos(), v2);
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
    long epoch = firmware.epoch();
    threads.schedule(() -> firmware.continueWith(epoch, () -> {
      if (upload != u) {
        return;
      }
      firmware.readInput();
      if (upload != u) {
        return;
      }
      if (System.nanoTime() - u.deadline < 0) {
        watchDeadline(u);
        return;
      }
      upload = null;
      boolean keep = u.v2 != null && load2.hold(u.load, u.v2, u.block);
      firmware.afterDelayFault(() -> {
        if (!keep) {
          u.block.free();
        }
        out.reply(loadErr("TIMEOUT", u.v2 == null ? "binary payload not received" : "idle at offset=" + u.v2.offset()));
      });
    }), Math.max(0, u.deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /** The next byte of the payload being read. */
  void payloadByte(int b) {
    Upload u = upload;
    if (profile.loadTimeoutKind() == BoardProfile.LoadTimeout.INACTIVITY && u.v2 == null) {
      u.deadline = System.nanoTime() + profile.loadTimeout().toNanos();
    }
    if (faults.rebootAt(u.index++)) {
      log.info("board {}: reboot fault at payload byte {}", id, u.index - 1);
      firmware.reboot(); // the next step sees the new epoch, and the upload it cut
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
      out.reply(answer);
    }
    if (u.v2.complete()) {
      upload = null;
      String bad = load2.verify(u.v2);
      if (bad != null) {
        u.block.free();
        out.reply(bad);
        return;
      }
      System.arraycopy(u.v2.module(), 0, u.buf, 0, u.buf.length);
      u.got = u.buf.length;
      payloadDone(u);
    }
  }

  private void payloadDone(Upload u) {
    upload = null;
    long epoch = firmware.epoch();
    firmware.afterDelayFault(() -> {
      Load load = u.load;
      int crc = Crc32.of(u.buf);
      if (crc != load.crc32()) {
        u.block.free();
        out.reply(loadErr("BAD_CRC", "expected=" + Crc32.hex(load.crc32()) + " got=" + Crc32.hex(crc)));
        return;
      }
      Prepared prepared = prepare(u.buf, load);
      synchronized (modules) {
        if (firmware.rebootedSince(epoch)) {
          return; // the pool and the slots are new
        }
        String error = install(u.target, load, u.block, prepared);
        if (error != null) {
          u.block.free();
          out.reply(error);
          return;
        }
        // LOAD v2 names what it loaded: the digest it checked
        WireParams loaded = u.v2 == null ? WireParams.EMPTY : WireParams.builder().add("sha256", Load2Uploads.sha256(load))
            .add("resumed_at", u.resumedAt > 0 ? u.resumedAt : null).build();
        out.reply(new LoadOk(u.warn, u.warn == null ? null : load.replaceVictim(), loaded).format());
      }
    });
  }

  private Prepared prepare(byte[] payload, Load load) {
    switch (PayloadKind.of(payload)) {
      case WASM -> {
        WasmProgram.Mode mode = load.extra().get("sim_exec")
            .map(v -> v.equals("compiled") ? WasmProgram.Mode.COMPILED : WasmProgram.Mode.INTERPRETER)
            .orElse(profile.execution());
        try {
          WasmProgram program = WasmProgram.load(payload, mode);
          return new Prepared(program, null, program.footprint(profile.appHeap(), profile.execEnv() + profile.wasmStack()), null);
        } catch (WasmProgram.LoadFailure e) {
          return new Prepared(null, null, null, loadErr("LOAD_FAIL", e.getMessage()));
        }
      }
      case AOT -> {
        try {
          AotFile aot = AotFile.read(payload);
          Optional<String> mismatch = aot.mismatchFor(profile.arch(), profile.elfMachine());
          if (mismatch.isPresent()) {
            return new Prepared(null, null, null, loadErr("LOAD_FAIL", "AOT module load failed: " + mismatch.get()));
          }
          Footprint f = new Footprint(1024 + payload.length, 512 + profile.appHeap() + 4096,
              profile.execEnv() + profile.wasmStack());
          return new Prepared(null, aot.arch(), f, null);
        } catch (AotFile.MalformedAotException e) {
          return new Prepared(null, null, null, loadErr("LOAD_FAIL", "AOT module load failed: " + e.getMessage()));
        }
      }
      default -> {
        return new Prepared(null, null, null, loadErr("LOAD_FAIL", "WASM module load failed: magic header not detected"));
      }
    }
  }

  /** Puts a prepared module into {@code target}; the LOAD_ERR line when it cannot. The caller holds the {@link Modules} monitor. */
  private String install(Slot target, Load load, WamrPool.Block payloadBlock, Prepared p) {
    if (p.error() != null) {
      return p.error();
    }
    WamrPool pool = modules.pool();
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
        p.nativeAotArch(), List.of(payloadBlock, meta.get(), inst.get()), out::emit);
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
}
