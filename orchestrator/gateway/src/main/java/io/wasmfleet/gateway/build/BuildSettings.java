package io.wasmfleet.gateway.build;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;

/** {@code wasmfleet.gateway.build}: tools, flags, cache. */
public record BuildSettings(Path cacheDir, String clang, String wamrc, Duration timeout, int threads,
    List<String> wasmFlags, List<String> aotFlags, String aotTargetAbi) {

  public static BuildSettings fromConfig(Config build) {
    return new BuildSettings(Paths.get(build.getString("cache-dir")), build.getString("clang"),
        build.getString("wamrc"), build.getDuration("timeout"), build.getInt("threads"),
        build.getStringList("wasm-flags"), build.getStringList("aot-flags"), build.getString("aot-target-abi"));
  }
}
