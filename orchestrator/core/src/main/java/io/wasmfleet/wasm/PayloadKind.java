package io.wasmfleet.wasm;

/** What a LOAD payload is, by its first four bytes, as WAMR tells them apart. */
public enum PayloadKind {
  /** WebAssembly bytecode: {@code \0asm}. */
  WASM,
  /** A WAMR AOT file made by wamrc: {@code \0aot}. */
  AOT,
  /** Neither: a board refuses it with "magic header not detected". */
  UNKNOWN;

  public static PayloadKind of(byte[] payload) {
    if (payload.length >= 4 && payload[0] == 0 && payload[1] == 'a') {
      if (payload[2] == 's' && payload[3] == 'm') {
        return WASM;
      }
      if (payload[2] == 'o' && payload[3] == 't') {
        return AOT;
      }
    }
    return UNKNOWN;
  }
}
