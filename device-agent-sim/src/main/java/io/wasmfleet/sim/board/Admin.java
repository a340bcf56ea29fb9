package io.wasmfleet.sim.board;

import io.wasmfleet.protocol.WireLine;
import io.wasmfleet.protocol.WireParams;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The simulator's admin interface (SIM_*), on the board's own wire or the process's admin port:
 * faults, reboot, hang and release, SIM_INFO. A real board answers these
 * {@code ERROR code=UNKNOWN_COMMAND}; a simulated one answers them even while it hangs.
 */
final class Admin {

  static final String PREFIX = "SIM_";

  private final SimulatedBoard board;
  private final Faults faults;
  private final Modules modules;
  private final UartOut out;
  /** The firmware loop's own figures for SIM_INFO (lines read, unknown commands). */
  private final Supplier<WireParams> loopFigures;

  Admin(SimulatedBoard board, Modules modules, UartOut out, Supplier<WireParams> loopFigures) {
    this.board = board;
    this.faults = board.faults();
    this.modules = modules;
    this.out = out;
    this.loopFigures = loopFigures;
  }

  /** An admin line read from the board's wire: its reply goes out even while the board hangs. */
  void fromWire(String line) {
    String keyword = line.split(" ", 2)[0];
    switch (keyword) {
      case "SIM_HANG" -> {
        out.printAlways("SIM_OK action=hang");
        board.hang();
      }
      case "SIM_REBOOT" -> {
        out.printAlways("SIM_OK action=reboot");
        board.reboot();
      }
      case "SIM_RELEASE" -> {
        out.printAlways("SIM_OK action=release");
        board.release();
      }
      default -> out.printAlways(run(line));
    }
  }

  /** Runs an admin line and returns its reply ({@code SIM_OK ...} or {@code SIM_ERR msg="..."}). */
  String run(String line) {
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
        modules.shrinkPoolBy(faults.poolShrink());
        return "SIM_OK" + faults.describe().format();
      }
      case "SIM_REBOOT" -> {
        board.reboot();
        return "SIM_OK action=reboot";
      }
      case "SIM_HANG" -> {
        board.hang();
        return "SIM_OK action=hang";
      }
      case "SIM_RELEASE" -> {
        board.release();
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
    BoardProfile profile = board.profile();
    synchronized (modules) { // one moment's boots, toggles and jobs
      return WireParams.builder()
          .add("device_id", board.id())
          .add("board", profile.name())
          .add("cpu", profile.cpu())
          .add("boots", modules.boots())
          .addAll(loopFigures.get())
          .add("hung", out.hung() ? 1 : 0)
          .addAll(modules.describe())
          .addAll(faults.describe())
          .build();
    }
  }
}
