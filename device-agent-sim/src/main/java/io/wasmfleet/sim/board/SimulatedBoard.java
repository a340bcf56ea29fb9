package io.wasmfleet.sim.board;

import io.wasmfleet.protocol.DeviceLine.Hello;
import io.wasmfleet.protocol.DeviceLine.StatusOk;
import io.wasmfleet.protocol.DeviceLine;
import io.wasmfleet.protocol.WireParams;
import io.wasmfleet.protocol.load2.Load2Frame;
import io.wasmfleet.sim.link.Pacer;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated NUCLEO board running the agent firmware 1.0.0, as the gateway sees it through
 * its UART: the same lines, codes, messages and ordering as agent-wire-protocol-v1.md, real
 * pool arithmetic, wasm really executed by Chicory, and faults on demand.
 *
 * <p>This class is the firmware's main loop: boot, and the reading thread as a sequence of
 * short steps on {@link SimThreads} (one step of this board at a time). Bytes arriving on the
 * UART schedule a step, which reads lines and LOAD payloads and dispatches commands; the delay
 * fault and the LOAD timeout are timers that schedule the next step, never a sleeping thread.
 *
 * <p>Its parts: {@link RxBuffer} and {@link UartOut} (the UART's two sides: the receive ring;
 * pacing, hang and hold), {@link Loader} (LOAD v1 and v2, with {@link Load2Uploads}),
 * {@link Jobs} (START, STOP, RESULT and forced stops), {@link Modules} (the slots and the WAMR
 * pool, and the monitor every change to them holds), {@link Admin} (SIM_*), {@link Faults}.
 */
public final class SimulatedBoard implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SimulatedBoard.class);

  private final String id;
  private final BoardProfile profile;
  private final Faults faults;
  private final RxBuffer rx = new RxBuffer(16 * 1024);
  private final UartOut out;
  private final Replies replies;
  private final Modules modules;
  private final Jobs jobs;
  private final Loader loader;
  private final Admin admin;
  private final ScheduledExecutorService threads = SimThreads.shared();

  // the firmware's reading side: touched only inside a step (see step())
  private final AtomicBoolean stepping = new AtomicBoolean();
  private final ConcurrentLinkedQueue<Runnable> continuations = new ConcurrentLinkedQueue<>();
  private final StringBuilder lineSoFar = new StringBuilder();
  /** After a reboot that cut a line or an upload: the bytes up to the next \n are the rest of it. */
  private boolean skipLine;
  private long seenEpoch;
  private boolean paused;
  private final AtomicReference<Runnable> rxSpaceWaiter = new AtomicReference<>();
  /** Lines since the last boot that were not a command (SIM_INFO {@code unknown_commands}). */
  private final AtomicLong unknownCommands = new AtomicLong();
  /** Lines read since the last boot (SIM_INFO {@code lines_read}). */
  private final AtomicLong linesRead = new AtomicLong();

  private volatile boolean closed;

  public SimulatedBoard(String id, BoardProfile profile, Faults faults, boolean uartPacing) {
    this.id = id;
    this.profile = profile;
    this.faults = faults;
    this.out = new UartOut(uartPacing ? new Pacer(profile.nanosPerUartByte()) : Pacer.none(), threads);
    this.replies = new Replies(out, faults);
    this.modules = new Modules(profile);
    this.jobs = new Jobs(id, profile, modules, replies, threads);
    this.loader = new Loader(id, profile, faults, modules, jobs, replies, threads, new Loader.Firmware() {
      @Override
      public long epoch() {
        return seenEpoch;
      }

      @Override
      public boolean rebootedSince(long epoch) {
        return rx.epoch() != epoch;
      }

      @Override
      public void continueWith(long epoch, Runnable then) {
        SimulatedBoard.this.continueWith(epoch, then);
      }

      @Override
      public void afterDelayFault(Runnable then) {
        SimulatedBoard.this.afterDelayFault(then);
      }

      @Override
      public void readInput() {
        SimulatedBoard.this.readInput();
      }

      @Override
      public void reboot() {
        SimulatedBoard.this.reboot();
      }
    });
    this.admin = new Admin(this, modules, out, () -> WireParams.builder()
        .add("lines_read", linesRead.get()).add("unknown_commands", unknownCommands.get()).build());
    synchronized (modules) {
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

  /** A boot, holding the {@link Modules} monitor: every module lost, the pool fresh, HELLO printed. */
  private void boot() {
    unknownCommands.set(0);
    linesRead.set(0);
    modules.boot(faults.poolShrink());
    WireParams.Builder helloKeys = WireParams.builder();
    if (profile.extensions()) {
      helloKeys.add("board", profile.name()).add("sim", 1);
    }
    if (profile.load2()) {
      helloKeys.add("caps", "load2");
    }
    String hello = new Hello(id, profile.rtos(), profile.runtime(), profile.fwVersion(), helloKeys.build()).format();
    loader.boot(); // a reboot loses what an interrupted upload left
    out.boot(hello);
  }

  /** Reboots: every job aborted, every module lost, the pool fresh, HELLO printed. */
  public void reboot() {
    synchronized (modules) {
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
        skipLine = profile.load2() && (!lineSoFar.isEmpty() || loader.uploading() || !rx.isEmpty());
        lineSoFar.setLength(0);
        loader.forgetUpload();
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
      if (loader.uploading()) {
        loader.payloadByte(b);
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
    boolean isAdmin = keyword.startsWith(Admin.PREFIX);
    if (out.hung() && !isAdmin) {
      return;
    }
    switch (keyword) {
      case "LOAD" -> afterDelayFault(() -> loader.onLoad(line));
      case "START" -> afterDelayFault(() -> jobs.onStart(line));
      case "STOP" -> afterDelayFault(() -> jobs.onStop(line));
      case "STATUS" -> afterDelayFault(() -> replies.reply(status().format()));
      default -> {
        if (isAdmin) {
          admin.fromWire(line);
        } else {
          unknownCommands.incrementAndGet();
          afterDelayFault(() -> replies.reply(
              new DeviceLine.DeviceError(DeviceLine.DeviceError.UNKNOWN_COMMAND, WireParams.EMPTY).format()));
        }
      }
    }
  }

  /** The board's own STATUS, as it would answer now (the truth a gateway's view is checked against). */
  public StatusOk status() {
    return modules.status();
  }

  /**
   * Runs an admin command and returns its reply line: {@code SIM_FAULT key=value...},
   * {@code SIM_REBOOT}, {@code SIM_HANG}, {@code SIM_RELEASE}, {@code SIM_INFO}. Callable from
   * any thread (the process admin port, tests); replies {@code SIM_ERR msg="..."} on bad input.
   */
  public String admin(String line) {
    return admin.run(line);
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
    modules.close();
  }
}
