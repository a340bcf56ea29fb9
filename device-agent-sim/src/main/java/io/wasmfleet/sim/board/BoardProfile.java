package io.wasmfleet.sim.board;

import com.typesafe.config.Config;
import io.wasmfleet.sim.exec.WasmProgram;
import java.time.Duration;
import java.util.Locale;

/**
 * What a kind of board is: its CPU, its memory budget and the firmware's limits. Read from
 * HOCON ({@code wasmfleet.sim.profiles.<name>} over {@code wasmfleet.sim.profile-defaults});
 * every figure here is one an integrator may change, so none is a constant in code.
 */
public record BoardProfile(
    String name,
    String cpu,
    String arch,
    int elfMachine,
    long coreClockHz,
    int uartBaud,
    String rtos,
    String runtime,
    String fwVersion,
    int slots,
    long wamrPool,
    long runtimeReserved,
    long wasmStack,
    long appHeap,
    long execEnv,
    long workerStack,
    long workerStackUsed,
    long lowStackBelow,
    long startGuardWithoutExecEnv,
    long startGuardWithExecEnv,
    Duration loadTimeout,
    LoadTimeout loadTimeoutKind,
    int maxLine,
    Duration forcedStopAfter,
    WasmProgram.Mode execution,
    boolean extensions,
    boolean load2,
    String signingKey,
    boolean requireSignature) {

  /** How the payload timeout counts: firmware 1.0.0 gives the whole payload 5 s. */
  public enum LoadTimeout {
    /** From LOAD_READY to the last byte (firmware 1.0.0). */
    TOTAL,
    /** Since the last byte received (what our firmware does). */
    INACTIVITY
  }

  public static BoardProfile fromConfig(String name, Config c) {
    return new BoardProfile(
        name,
        c.getString("cpu"),
        c.getString("arch"),
        c.getInt("elf-machine"),
        c.getLong("core-clock-hz"),
        c.getInt("uart-baud"),
        c.getString("rtos"),
        c.getString("runtime"),
        c.getString("fw-version"),
        c.getInt("slots"),
        c.getBytes("wamr-pool"),
        c.getBytes("runtime-reserved"),
        c.getBytes("wasm-stack"),
        c.getBytes("app-heap"),
        c.getBytes("exec-env"),
        c.getBytes("worker-stack"),
        c.getBytes("worker-stack-used"),
        c.getBytes("low-stack-below"),
        c.getBytes("start-guard-without-exec-env"),
        c.getBytes("start-guard-with-exec-env"),
        c.getDuration("load-timeout"),
        LoadTimeout.valueOf(c.getString("load-timeout-kind").toUpperCase(Locale.ROOT)),
        c.getInt("max-line"),
        c.getDuration("forced-stop-after"),
        WasmProgram.Mode.valueOf(c.getString("execution").toUpperCase(Locale.ROOT)),
        c.getBoolean("extensions"),
        c.getBoolean("load2"),
        c.getString("signing-key"),
        c.getBoolean("require-signature"));
  }

  /** Nanoseconds one byte takes on the UART: 10 bits (8N1) at the baud rate. */
  public long nanosPerUartByte() {
    return 10_000_000_000L / uartBaud;
  }
}
