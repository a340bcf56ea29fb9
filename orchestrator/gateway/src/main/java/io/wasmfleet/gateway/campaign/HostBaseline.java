package io.wasmfleet.gateway.campaign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host's native C, the baseline row next to simulated boards (whose figures are host time
 * too): the campaign's C source built with {@code cc -O3} on the node that runs the campaign,
 * each run timing its own loop.
 */
final class HostBaseline {

  private static final Pattern FIGURE = Pattern.compile("ns_per_(?:fft|call)=([0-9.]+)(?: checksum=(\\d+))?");

  /** One run of the program: ns per iteration, and the FFT checksum when it prints one. */
  record Figure(double nsPerIteration, Long checksum) {}

  private final Path exe;

  private HostBaseline(Path exe) {
    this.exe = exe;
  }

  /** Builds {@code source} for {@code bench} under {@code workDir}. */
  static HostBaseline build(String bench, byte[] source, Path workDir) throws BoardOps.StepFailed, InterruptedException {
    try {
      Files.createDirectories(workDir);
      Path c = workDir.resolve(bench + "_native.c");
      Files.write(c, source);
      Path exe = workDir.resolve(bench + "_native");
      List<String> cc = new ArrayList<>(List.of("cc", "-O3"));
      if (bench.equals("fft")) {
        cc.addAll(List.of("-ffp-contract=off", "-DFFT_HOST_MAIN")); // no FMA: the floats match wasm
      }
      cc.addAll(List.of("-o", exe.toString(), c.toString()));
      run(cc, "cc");
      return new HostBaseline(exe);
    } catch (IOException e) {
      throw new BoardOps.StepFailed("building the host's native C failed: " + e.getMessage());
    }
  }

  Figure run(long count) throws BoardOps.StepFailed, InterruptedException {
    String out = run(List.of(exe.toString(), Long.toString(count)), exe.getFileName().toString());
    Matcher m = FIGURE.matcher(out);
    if (!m.find()) {
      throw new BoardOps.StepFailed("unexpected output from " + exe.getFileName() + ": " + out.strip());
    }
    return new Figure(Double.parseDouble(m.group(1)), m.group(2) == null ? null : Long.parseLong(m.group(2)));
  }

  private static String run(List<String> cmd, String tool) throws BoardOps.StepFailed, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new BoardOps.StepFailed("cannot run " + tool + ": " + e.getMessage()
          + (tool.equals("cc") ? " (apt-get install --no-install-recommends gcc)" : ""));
    }
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new BoardOps.StepFailed(tool + " did not finish within 10 minutes");
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new BoardOps.StepFailed(tool + " failed (exit " + p.exitValue() + "): " + text.strip());
      }
      return text;
    } catch (IOException e) {
      throw new BoardOps.StepFailed(tool + " failed: " + e.getMessage());
    } finally {
      p.destroyForcibly();
    }
  }
}
