package io.wasmfleet.benchmarks.campaign;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The seed document's published figures (benchmarks/reference/, packaged with the tools): the
 * MCU FFT cycles and toggle frequencies per board, stack and runtime.
 */
public final class SeedReference {

  /** One published row: {@code figure} is cycles per FFT (fft) or the pin frequency in Hz (toggle). */
  public record Row(String bench, String board, double clockMhz, String stack, String runtime, double figure,
      double slowdown) {}

  private final List<Row> rows;

  private SeedReference(List<Row> rows) {
    this.rows = rows;
  }

  public static SeedReference load() {
    List<Row> rows = new ArrayList<>();
    for (String[] f : csv("seed-fft.csv")) {
      rows.add(new Row("fft", f[0], Double.parseDouble(f[1]), f[2], f[3], Double.parseDouble(f[4]),
          Double.parseDouble(f[5])));
    }
    for (String[] f : csv("seed-toggle.csv")) {
      rows.add(new Row("toggle", f[0], Double.parseDouble(f[1]), f[2], f[3], Double.parseDouble(f[4]),
          Double.parseDouble(f[5])));
    }
    return new SeedReference(rows);
  }

  public List<Row> rows() {
    return rows;
  }

  /** The seed's row for a board type, stack and runtime ("Native C", "WAMR (interpreter)", "WAMR (AOT)"). */
  public Optional<Row> find(String bench, String boardType, String stack, String runtime) {
    return rows.stream().filter(r -> r.bench().equals(bench) && r.board().equals(boardType)
        && r.stack().equals(stack) && r.runtime().equals(runtime)).findFirst();
  }

  /** The seed's name of one of our modes. */
  public static String runtimeOf(String mode) {
    return switch (mode) {
      case "interp" -> "WAMR (interpreter)";
      case "aot" -> "WAMR (AOT)";
      default -> "Native C";
    };
  }

  private static List<String[]> csv(String name) {
    try (InputStream in = SeedReference.class.getResourceAsStream("/reference/" + name)) {
      if (in == null) {
        throw new IllegalStateException("reference/" + name + " is not on the classpath");
      }
      List<String[]> out = new ArrayList<>();
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      r.readLine(); // header
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          out.add(line.split(",", -1));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
