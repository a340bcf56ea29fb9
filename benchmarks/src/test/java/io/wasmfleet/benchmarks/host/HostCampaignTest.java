package io.wasmfleet.benchmarks.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bin/bench host} as a user runs it (few iterations): real native C, real Chicory, real
 * Node when present; absent runtimes are rows that say how to get them; every file is written.
 */
class HostCampaignTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    System.setProperty("java.awt.headless", "true");
  }

  @Test
  void aCampaignWritesTheTablesWithEqualChecksumsAndNamesWhatIsMissing(@TempDir Path out) throws Exception {
    StringWriter stdout = new StringWriter();
    CommandLine cmd = HostCampaign.commandLine();
    cmd.setOut(new PrintWriter(stdout));
    int exit = cmd.execute("--bench", "fft,toggle", "--iterations", "3", "--repeats", "3", "--runtimes",
        "native,chicory-interp,chicory-compiler,node,wasm3,wamr-classic", "--iwasm", "/nonexistent/iwasm:classic",
        "--out", out.toString());
    assertEquals(0, exit);

    JsonNode fft = JSON.readTree(out.resolve("host-fft.json").toFile());
    Map<String, JsonNode> rows = byRuntime(fft);
    long nativeSum = rows.get("Native C (cc -O3)").get("checksum").asLong();
    assertEquals("OK", rows.get("Native C (cc -O3)").get("outcome").asText());
    for (String chicory : List.of("Chicory (interpreter)", "Chicory (compiler to JVM bytecode)")) {
      assertEquals("OK", rows.get(chicory).get("outcome").asText(), rows.get(chicory).toString());
      assertEquals(nativeSum, rows.get(chicory).get("checksum").asLong(), chicory + " computes the same FFT");
      assertTrue(rows.get(chicory).get("slowdown").asDouble() > 1, "wasm is slower than native C here");
      assertEquals(3, rows.get(chicory).get("ns_per_repeat").size());
    }
    assertEquals("NOT_FOUND", rows.get("wasm3 (interpreter)").get("outcome").asText());
    assertTrue(rows.get("wasm3 (interpreter)").get("detail").asText().startsWith("not found (wasm3 is not packaged"));
    assertEquals("NOT_FOUND", rows.get("WAMR classic (iwasm)").get("outcome").asText());
    assertTrue(fft.get("machine").get("clock_source").asText().length() > 0);

    String md = Files.readString(out.resolve("host-fft.md"));
    assertTrue(md.contains("| Environment | Runtime / Mode | Average cycles per FFT | Slowdown vs native C |"), md);
    assertTrue(md.contains("| Linux host | Native C (cc -O3) |"), md);
    assertTrue(md.contains("| Linux host | wasm3 (interpreter) | not found ("), md);
    assertEquals(7, Files.readAllLines(out.resolve("host-fft.csv")).size(), "header + 6 runtimes");

    JsonNode toggle = JSON.readTree(out.resolve("host-toggle.json").toFile());
    JsonNode nativeToggle = byRuntime(toggle).get("Native C (cc -O3)");
    assertEquals("OK", nativeToggle.get("outcome").asText());
    assertTrue(Files.readString(out.resolve("host-toggle.md")).contains("| Calls per second |"));

    for (String bench : List.of("fft", "toggle")) {
      BufferedImage png = ImageIO.read(out.resolve("host-" + bench + ".png").toFile());
      assertNotNull(png, bench + " plot is a PNG");
      assertEquals(900, png.getWidth());
    }
    assertTrue(stdout.toString().contains("written: "), stdout.toString());
  }

  @Test
  void aRuntimeWhoseChecksumDiffersIsMarkedWrong() {
    // TEST DOUBLE of a runtime that miscomputes the FFT: the marking logic, not a real engine
    HostRuntime liar = new HostRuntime() {
      public String key() {
        return "liar";
      }

      public String label() {
        return "a miscomputing runtime";
      }

      public String missing() {
        return null;
      }

      public Measurement run(Bench bench, Path wasm, int iterations, int repeats) {
        return new Measurement(label(), bench, Measurement.Outcome.OK, null, new double[] {1, 1, 1}, 12345L, Map.of());
      }
    };
    HostCampaign campaign = new HostCampaign();
    campaign.iterations = 2;
    campaign.repeats = 3;
    Path repo = io.wasmfleet.wasm.BuiltModules.repositoryRoot();
    HostRuntime nativeC = campaign.runtimes(repo).get("native");
    List<Measurement> rows = campaign.measure(Bench.FFT, List.of(nativeC, liar), new PrintWriter(new StringWriter()));
    assertEquals(Measurement.Outcome.OK, rows.get(0).outcome());
    assertEquals(Measurement.Outcome.WRONG, rows.get(1).outcome());
    assertTrue(rows.get(1).detail().startsWith("checksum 12345 differs from native C's "), rows.get(1).detail());
  }

  @Test
  void anUnknownRuntimeIsAUsageErrorNamingTheKnownOnes() {
    StringWriter err = new StringWriter();
    CommandLine cmd = HostCampaign.commandLine();
    cmd.setErr(new PrintWriter(err));
    assertEquals(2, cmd.execute("--runtimes", "wasmtime"));
    assertTrue(err.toString().contains("unknown runtime 'wasmtime'; known: native, chicory-interp"), err.toString());
  }

  private static Map<String, JsonNode> byRuntime(JsonNode report) {
    Map<String, JsonNode> out = new HashMap<>();
    report.get("rows").forEach(r -> out.put(r.get("runtime").asText(), r));
    return out;
  }
}
