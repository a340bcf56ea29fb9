package io.wasmfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.wasmfleet.gateway.GatewayNode;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code host campaign ...} against the embedded default (a gateway with its two simulated
 * boards): the run prints the seed's tables, the report writes CSV, JSON and valid PNGs, and
 * compare gives a verdict per row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignCliTest {

  private GatewayNode gateway;
  private Path dir;
  private String id;
  private HostCliTest.Run run;

  @BeforeAll
  void runACampaign() throws Exception {
    dir = Files.createTempDirectory("campaign-cli-test");
    gateway = GatewayNode.start(ConfigFactory.parseMap(Map.of(
        "wasmfleet.gateway.api.port", 0,
        "wasmfleet.gateway.campaigns.store.url", "jdbc:sqlite:" + dir.resolve("campaigns.db"),
        "wasmfleet.gateway.campaigns.work-dir", dir.resolve("work").toString(),
        "wasmfleet.gateway.build.cache-dir", dir.resolve("cache").toString())));
    run = host("campaign", "run", "--select", "all", "--iterations", "3", "--repeats", "3", "--name", "cli",
        "--out", dir.resolve("report").toString());
    Matcher m = Pattern.compile("campaign (c\\d{8}-\\d{6}-[0-9a-f]{4}) DONE").matcher(run.out());
    assertTrue(m.find(), run.out() + run.err());
    id = m.group(1);
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  private HostCliTest.Run host(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--gw-port", Integer.toString(gateway.apiPort())));
    all.addAll(List.of(args));
    int code = HostCli.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    return new HostCliTest.Run(code, out.toString(), err.toString());
  }

  @Test
  void runPrintsTheSeedsTablesForEveryBoard() {
    assertEquals(0, run.code(), run.err());
    String out = run.out();
    assertTrue(out.contains("30 runs planned") || out.contains("runs planned"), out);
    assertTrue(out.contains(id + " DONE: 30 runs stored, 0 of 10 cells failed"), out);
    for (String board : List.of("nucleo_f446 (nucleo_f446re, cortex-m4, simulated)",
        "nucleo_f746 (nucleo_f746zg, cortex-m7, simulated)")) {
      assertTrue(out.contains("## FFT (N = 1024) on " + board), out);
      assertTrue(out.contains("## GPIO toggle on " + board), out);
    }
    assertTrue(out.contains("| Environment | Runtime / Mode | Average us per FFT (host time, simulated) | 95% CI"
        + " | Slowdown vs native C | 95% CI | Checksum |"), out);
    assertTrue(out.contains("Native C (host, cc -O3): baseline for simulated boards"), out);
    assertTrue(out.contains("## Memory footprint"), out);
    assertFalse(out.contains("cycles per FFT"), "simulated figures are never shown as MCU cycles");
    assertFalse(out.contains("pending") || out.contains("failed:") || out.contains("WRONG"), out);
    // every FFT row of a board: a figure, a slowdown and the checksum native C gives
    long fftRows = out.lines().filter(l -> l.startsWith("| simulated nucleo_f") && l.endsWith("| ok |")).count();
    assertEquals(4, fftRows, out);
  }

  @Test
  void reportWritesTablesCsvJsonAndPlots() throws Exception {
    Path report = dir.resolve("report");
    for (String f : List.of("campaign.md", "cells.csv", "runs.csv", "campaign.json", "fft.png", "toggle.png")) {
      assertTrue(Files.size(report.resolve(f)) > 0, f);
    }
    List<String> cells = Files.readAllLines(report.resolve("cells.csv"));
    assertEquals(11, cells.size(), "a header and 10 cells");
    assertTrue(cells.get(0).startsWith("campaign,board,board_type,simulated,bench,mode,runtime,state,unit,repeats,median"));
    assertEquals(31, Files.readAllLines(report.resolve("runs.csv")).size(), "a header and 30 runs");
    JsonNode json = new ObjectMapper().readTree(report.resolve("campaign.json").toFile());
    assertEquals(10, json.get("rows").size());
    json.get("rows").forEach(r -> {
      assertEquals(3, r.get("per_iteration").size(), r.toString());
      assertTrue(r.get("median").asDouble() > 0 && r.has("slowdown"), r.toString());
    });
    for (String png : List.of("fft.png", "toggle.png")) {
      BufferedImage image = ImageIO.read(report.resolve(png).toFile());
      assertNotNull(image, png + " is a PNG");
      assertTrue(image.getWidth() >= 900 && image.getHeight() >= 500, png);
    }
    HostCliTest.Run show = host("campaign", "show", id, "--format", "csv");
    assertEquals(0, show.code(), show.err());
    assertEquals(String.join("\n", cells) + "\n", show.out());
    HostCliTest.Run again = host("campaign", "report", id, "--out", dir.resolve("again").toString());
    assertEquals(0, again.code(), again.err());
    assertEquals(Files.readString(report.resolve("campaign.md")), Files.readString(dir.resolve("again/campaign.md")));
  }

  @Test
  void listAndCompare() {
    HostCliTest.Run list = host("campaign", "list");
    assertEquals(0, list.code(), list.err());
    assertTrue(list.out().matches("(?s).*" + id + " +cli +DONE +10 +0 +30.*"), list.out());

    HostCliTest.Run same = host("campaign", "compare", id, id);
    assertEquals(0, same.code(), same.err());
    long rows = same.out().lines().filter(l -> l.endsWith("| no difference |")).count();
    assertEquals(10, rows, "a campaign against itself: no difference in any row\n" + same.out());

    HostCliTest.Run seed = host("campaign", "compare", id, "--reference", "seed");
    assertEquals(0, seed.code(), seed.err());
    List<String> lines = seed.out().lines().filter(l -> l.startsWith("| nucleo_f")).toList();
    assertEquals(8, lines.size(), seed.out());
    lines.forEach(l -> assertTrue(l.contains("(simulated)") && l.contains("slowdown vs native C (seed: WAMR"), l));

    HostCliTest.Run unknown = host("campaign", "show", "c0");
    assertEquals(1, unknown.code());
    assertTrue(unknown.err().contains("unknown campaign 'c0'"), unknown.err());
  }
}
