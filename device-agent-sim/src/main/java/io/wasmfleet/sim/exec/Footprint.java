package io.wasmfleet.sim.exec;

/**
 * What a loaded module takes from the WAMR pool besides its payload buffer: the loaded module
 * structures, the instance (linear memory and app heap included) and the exec env (with the
 * wasm stack). See docs/simulator.md for the model and its reasons.
 */
public record Footprint(long module, long instance, long execEnv) {}
