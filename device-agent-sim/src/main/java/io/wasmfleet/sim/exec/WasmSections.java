package io.wasmfleet.sim.exec;

/** Sizes of a wasm binary's sections, read straight from the bytes (id, LEB128 size, body). */
final class WasmSections {

  static final int DATA = 11;
  static final int CODE = 10;

  private WasmSections() {}

  /** Total bytes of all sections with this id; 0 when absent or the file is cut short. */
  static long size(byte[] wasm, int id) {
    long total = 0;
    int pos = 8;
    while (pos < wasm.length) {
      int sectionId = wasm[pos++] & 0xff;
      long size = 0;
      int shift = 0;
      while (pos < wasm.length) {
        int b = wasm[pos++] & 0xff;
        size |= (long) (b & 0x7f) << shift;
        shift += 7;
        if ((b & 0x80) == 0 || shift > 35) {
          break;
        }
      }
      if (sectionId == id) {
        total += size;
      }
      if (size > wasm.length - pos) {
        break;
      }
      pos += (int) size;
    }
    return total;
  }
}
