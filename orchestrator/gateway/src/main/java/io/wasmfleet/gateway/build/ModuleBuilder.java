package io.wasmfleet.gateway.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * C -> wasm with clang and wasm -> AOT with wamrc for a board's CPU, off the actor threads.
 * Artifacts are cached by a hash of the source, the flags and the target, so a fleet build
 * compiles once per target; concurrent builds of the same key share one compiler run.
 */
public final class ModuleBuilder implements AutoCloseable {

  /** What to build for: {@code cpu} null means wasm only. */
  public record Target(String cpu, String arch) {}

  private final BuildSettings settings;
  private final ExecutorService executor;
  private final ConcurrentHashMap<String, CompletableFuture<BuildResult>> inFlight = new ConcurrentHashMap<>();

  public ModuleBuilder(BuildSettings settings) {
    this.settings = settings;
    this.executor = Executors.newFixedThreadPool(settings.threads(), r -> {
      Thread t = new Thread(r, "module-builder");
      t.setDaemon(true);
      return t;
    });
  }

  /** Builds {@code source}: wasm, and AOT for {@code target} when {@code aot} is true. */
  public CompletionStage<BuildResult> build(byte[] source, String sourceName, boolean aot, Target target) {
    String wasmKey = hash(source, String.join(" ", settings.wasmFlags()));
    CompletionStage<BuildResult> wasm = once("wasm-" + wasmKey, () -> compileWasm(source, sourceName, wasmKey));
    return aot ? thenAot(wasm, target) : wasm;
  }

  /** AOT-compiles a wasm module built elsewhere (a campaign's) for {@code target}. */
  public CompletionStage<BuildResult> aot(byte[] wasm, String wasmName, Target target) {
    String key = hash(wasm, "given");
    return thenAot(once("given-" + key, () -> keepWasm(wasm, wasmName, key)), target);
  }

  private BuildResult keepWasm(byte[] bytes, String wasmName, String key) {
    Path file = settings.cacheDir().resolve(key).resolve(baseName(wasmName).replaceAll("\\.wasm$", "") + ".wasm");
    try {
      Files.createDirectories(file.getParent());
      Path partial = file.resolveSibling(file.getFileName() + ".part");
      Files.write(partial, bytes);
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return new BuildResult(true, "compile_wasm", file.toAbsolutePath(), null, bytes, true, null, null, null);
    } catch (IOException e) {
      return BuildResult.failed("compile_aot", null, "keeping the wasm for wamrc failed: " + e.getMessage(), null, null);
    }
  }

  private CompletionStage<BuildResult> thenAot(CompletionStage<BuildResult> wasm, Target target) {
    return wasm.thenCompose(w -> {
      if (!w.ok()) {
        return CompletableFuture.completedFuture(w);
      }
      String aotKey = hash(w.artifact(), String.join(" ", settings.aotFlags()) + " " + target.arch() + " "
          + target.cpu() + " " + settings.aotTargetAbi());
      return once("aot-" + aotKey, () -> compileAot(w, target, aotKey));
    });
  }

  private CompletionStage<BuildResult> once(String key, java.util.function.Supplier<BuildResult> work) {
    CompletableFuture<BuildResult> mine = new CompletableFuture<>();
    CompletableFuture<BuildResult> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      return running;
    }
    executor.execute(() -> {
      try {
        mine.complete(work.get());
      } catch (RuntimeException e) {
        mine.completeExceptionally(e);
      } finally {
        inFlight.remove(key);
      }
    });
    return mine;
  }

  private BuildResult compileWasm(byte[] source, String sourceName, String key) {
    Path dir = settings.cacheDir().resolve(key);
    Path wasm = dir.resolve(baseName(sourceName) + ".wasm");
    try {
      if (Files.isRegularFile(wasm)) {
        return new BuildResult(true, "compile_wasm", wasm.toAbsolutePath(), null, Files.readAllBytes(wasm), true,
            null, null, null);
      }
      Files.createDirectories(dir);
      Path c = dir.resolve(baseName(sourceName) + ".c");
      Files.write(c, source);
      List<String> cmd = new ArrayList<>();
      cmd.add(settings.clang());
      cmd.addAll(settings.wasmFlags());
      cmd.add("-o");
      Path partial = dir.resolve(wasm.getFileName() + ".part");
      cmd.add(partial.toString());
      cmd.add(c.toString());
      Run run = run(cmd, "clang");
      if (run.exit != 0) {
        return BuildResult.failed("compile_wasm", null, run.error("clang"), run.stdout, run.stderr);
      }
      Files.move(partial, wasm, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return new BuildResult(true, "compile_wasm", wasm.toAbsolutePath(), null, Files.readAllBytes(wasm), false,
          null, run.stdout, run.stderr);
    } catch (IOException e) {
      return BuildResult.failed("compile_wasm", null, "building wasm failed: " + e.getMessage(), null, null);
    }
  }

  private BuildResult compileAot(BuildResult wasm, Target target, String key) {
    Path dir = settings.cacheDir().resolve(key);
    Path aot = dir.resolve(wasm.wasmPath().getFileName().toString().replaceAll("\\.wasm$", "") + "-" + target.cpu() + ".aot");
    try {
      if (Files.isRegularFile(aot)) {
        return new BuildResult(true, "compile_aot", wasm.wasmPath(), aot.toAbsolutePath(), Files.readAllBytes(aot),
            true, null, null, null);
      }
      if (!onPath(settings.wamrc())) {
        return BuildResult.failed("compile_aot", wasm.wasmPath(), "'" + settings.wamrc() + "' (WAMR's AOT compiler) is"
            + " not installed or not on PATH; install wamrc from wasm-micro-runtime (wamr-compiler) or deploy with"
            + " mode=wasm", null, null);
      }
      Files.createDirectories(dir);
      List<String> cmd = new ArrayList<>();
      cmd.add(settings.wamrc());
      cmd.add("--target=" + target.arch());
      cmd.add("--target-abi=" + settings.aotTargetAbi());
      cmd.add("--cpu=" + target.cpu());
      cmd.addAll(settings.aotFlags());
      Path partial = dir.resolve(aot.getFileName() + ".part");
      cmd.add("-o");
      cmd.add(partial.toString());
      cmd.add(wasm.wasmPath().toString());
      Run run = run(cmd, "wamrc");
      if (run.exit != 0 || !Files.isRegularFile(partial)) {
        return BuildResult.failed("compile_aot", wasm.wasmPath(), run.error("wamrc"), run.stdout, run.stderr);
      }
      Files.move(partial, aot, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return new BuildResult(true, "compile_aot", wasm.wasmPath(), aot.toAbsolutePath(), Files.readAllBytes(aot),
          false, null, run.stdout, run.stderr);
    } catch (IOException e) {
      return BuildResult.failed("compile_aot", wasm.wasmPath(), "building AOT failed: " + e.getMessage(), null, null);
    }
  }

  private record Run(int exit, String stdout, String stderr, boolean timedOut) {
    String error(String tool) {
      return timedOut ? tool + " did not finish in time" : tool + " failed (exit " + exit + ")";
    }
  }

  private Run run(List<String> cmd, String tool) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(cmd).start();
    } catch (IOException e) {
      throw new IOException("cannot run " + tool + " ('" + cmd.get(0) + "'): " + e.getMessage(), e);
    }
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    try {
      if (!p.waitFor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Run(-1, out.join(), err.join(), true);
      }
      return new Run(p.exitValue(), out.join(), err.join(), false);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(tool + " interrupted");
    }
  }

  private static CompletableFuture<String> drain(java.io.InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static boolean onPath(String tool) {
    if (tool.contains("/")) {
      return Files.isExecutable(Path.of(tool));
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  static String baseName(String sourceName) {
    String name = sourceName == null || sourceName.isBlank() ? "module" : Path.of(sourceName).getFileName().toString();
    name = name.replaceAll("\\.c$", "").replaceAll("[^A-Za-z0-9_.-]", "_");
    return name.isEmpty() ? "module" : name;
  }

  private static String hash(byte[] content, String flags) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(content);
      sha.update((byte) 0);
      sha.update(flags.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest()).substring(0, 24);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
