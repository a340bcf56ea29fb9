package io.wasmfleet.gateway.build;

import java.nio.file.Path;

/**
 * What a build produced, or where it stopped. {@code step} is the host API's:
 * {@code compile_wasm} or {@code compile_aot}; on a failure {@code error}, {@code stdout} and
 * {@code stderr} say why. {@code cached} is true when the artifact came from the cache.
 */
public record BuildResult(boolean ok, String step, Path wasmPath, Path aotPath, byte[] artifact, boolean cached,
    String error, String stdout, String stderr) {

  static BuildResult failed(String step, Path wasm, String error, String stdout, String stderr) {
    return new BuildResult(false, step, wasm, null, null, false, error, stdout, stderr);
  }
}
