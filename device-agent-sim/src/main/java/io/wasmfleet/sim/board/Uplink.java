package io.wasmfleet.sim.board;

/** Where a board's UART output goes: the current TCP connection, or a serial line. */
public interface Uplink {

  /** Writes the bytes; false when the wire is gone (the bytes are lost, as on a real UART). */
  boolean write(byte[] bytes);
}
