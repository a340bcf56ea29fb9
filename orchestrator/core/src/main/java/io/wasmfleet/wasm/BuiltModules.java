package io.wasmfleet.wasm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The one place that knows where {@code wasm/build.sh} puts the built modules, so code and
 * tests ask for {@code math_ops} instead of spelling out a path. The directory is, in order:
 * the system property {@code wasmfleet.wasm.dir}, the environment variable
 * {@code WASM_BUILD_DIR}, or {@code build/wasm} in the nearest folder above the working
 * directory that holds {@code wasm/build.sh}.
 */
public final class BuiltModules {

  private BuiltModules() {}

  public static Path directory() {
    String property = System.getProperty("wasmfleet.wasm.dir");
    if (property != null && !property.isBlank()) {
      return Paths.get(property);
    }
    String env = System.getenv("WASM_BUILD_DIR");
    if (env != null && !env.isBlank()) {
      return Paths.get(env);
    }
    return repositoryRoot().resolve("build").resolve("wasm");
  }

  /** The checkout: the nearest folder above the working directory holding wasm/build.sh. */
  public static Path repositoryRoot() {
    String property = System.getProperty("wasmfleet.repo.dir");
    if (property != null && !property.isBlank()) {
      return Paths.get(property);
    }
    Path dir = Paths.get("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("wasm").resolve("build.sh"))) {
        return d;
      }
    }
    throw new IllegalStateException(
        "cannot find the wasmfleet checkout above " + dir + "; set -Dwasmfleet.repo.dir");
  }

  /** The built {@code <name>.wasm}; fails with the way out when it has not been built. */
  public static Path wasm(String name) {
    Path file = directory().resolve(name + ".wasm");
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          file + " has not been built: run wasm/build.sh (bin/test does it for you)");
    }
    return file;
  }

  public static byte[] wasmBytes(String name) {
    try {
      return Files.readAllBytes(wasm(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A C source in {@code wasm/c/}. */
  public static Path source(String fileName) {
    return repositoryRoot().resolve("wasm").resolve("c").resolve(fileName);
  }
}
