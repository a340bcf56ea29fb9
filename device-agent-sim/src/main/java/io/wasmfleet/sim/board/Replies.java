package io.wasmfleet.sim.board;

/**
 * How the firmware prints on its UART: a line of its own, or a reply to a command, which console
 * noise may precede (the noise fault).
 */
record Replies(UartOut out, Faults faults) {

  /** Prints one line (held back while the board hangs). */
  void emit(String line) {
    out.print(line);
  }

  /** A reply to a command: console noise may come first. */
  void reply(String line) {
    String noise = faults.noiseLine();
    if (noise != null) {
      out.print(noise);
    }
    out.print(line);
  }
}
