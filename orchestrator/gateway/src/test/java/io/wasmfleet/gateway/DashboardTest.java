package io.wasmfleet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wasmfleet.hostapi.HostApiClient.Response;
import io.wasmfleet.wasm.BuiltModules;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The fleet page's HTTP side on a real node (pekko-http on a free loopback port, simulated boards
 * over TCP): health, the fleet snapshot, the metrics after known traffic, the page's actions
 * going through the host API's checks, and the guards (token off loopback, no cross-site POST,
 * loopback names only). The page itself is tested in a real browser (dashboard/test).
 */
class DashboardTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(String url, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The value of the sample {@code name{labels...}} in a Prometheus scrape (all given labels must match). */
  private static double sample(String scrape, String name, String... labels) {
    for (String line : scrape.split("\n")) {
      if (!line.startsWith(name + "{")) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        all &= line.contains(label);
      }
      if (all) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  @Test
  void thePageTheMetricsAndTheActions() throws Exception {
    try (GatewayFixture gw = GatewayFixture.start(List.of(GatewayFixture.Board.of("f446", "nucleo_f446re"),
        GatewayFixture.Board.of("f746", "nucleo_f746zg")), Map.of())) {
      String page = gw.node.dashboardUrl();
      assertTrue(page.matches("http://127\\.0\\.0\\.1:\\d+/"), page);
      assertEquals("live\n", get(page + "health/live").body());
      assertEquals("ready\n", get(page + "health/ready").body());
      HttpResponse<String> index = get(page);
      assertTrue(index.body().contains("<script type=\"module\" src=\"/app.js\">"));
      assertTrue(index.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));

      JsonNode fleet = JSON.readTree(get(page + "api/fleet").body());
      assertEquals(List.of("f446", "f746"), List.of(fleet.get("boards").get(0).get("board").asText(),
          fleet.get("boards").get(1).get("board").asText()));

      // known traffic through the host API: 3 STATUS, a start that fails, a deploy
      for (int i = 0; i < 3; i++) {
        assertTrue(gw.client.status("f446").ok());
      }
      assertFalse(gw.client.start("f446", "absent", "add", null, false, 5).ok());
      byte[] module = BuiltModules.wasmBytes("math_ops");
      assertTrue(gw.client.load("f746", "m", module, null, false, null).ok());

      String scrape = get(page + "metrics").body();
      assertEquals(3, sample(scrape, "wasmfleet_requests_seconds_count", "command=\"status\"", "outcome=\"ok\""));
      assertEquals(1, sample(scrape, "wasmfleet_requests_seconds_count", "command=\"start\"", "outcome=\"error\""));
      assertEquals(1, sample(scrape, "wasmfleet_requests_seconds_count", "command=\"load\"", "outcome=\"ok\""));
      assertEquals(module.length, sample(scrape, "wasmfleet_load_bytes_total", "board=\"f746\""));
      assertEquals(module.length, sample(scrape, "wasmfleet_load_wire_bytes_total", "board=\"f746\""),
          "a v1 board: the payload, once");
      assertEquals(1, sample(scrape, "wasmfleet_load_throughput_bytes_per_second_count", "board=\"f746\""));
      assertEquals(1, sample(scrape, "wasmfleet_connects_total", "board=\"f446\""));
      assertEquals(0, sample(scrape, "wasmfleet_requests_seconds_count", "command=\"boards\""),
          "the page's own view is not counted as host API traffic");
      assertTrue(scrape.contains("wasmfleet_requests_seconds_bucket{"), "a latency histogram");

      // the page's actions are host API requests, with the same checks and errors
      String start = "{\"cmd\":\"start\",\"device\":\"nope\",\"module_id\":\"m\"}";
      HttpResponse<String> refused = post(page + "api/request", start, "X-Wasmfleet-Request", "1");
      Response same = gw.client.start("nope", "m", null, null, false, 5);
      assertEquals(same.error(), JSON.readTree(refused.body().strip()).get("error").asText());
      HttpResponse<String> ran = post(page + "api/request",
          "{\"cmd\":\"start\",\"device\":\"f746\",\"module_id\":\"m\",\"func_name\":\"add\",\"func_args\":\"a=2,b=3\","
              + "\"wait_result\":true}", "X-Wasmfleet-Request", "1");
      assertTrue(ran.body().contains("ret_i32=5"), ran.body());
      String after = get(page + "metrics").body();
      assertEquals(1, sample(after, "wasmfleet_requests_seconds_count", "command=\"start\"", "outcome=\"ok\""),
          "and counted as such");
      assertEquals(3, sample(after, "wasmfleet_requests_seconds_count", "command=\"start\"", "outcome=\"error\""),
          "the host API's and the page's refusals");

      // the page's view is made while a page asks, and not after: within 5 s of the last
      // /api/fleet the count of snapshots stops (it went on for good when a snapshot the feed made
      // by itself counted as a page asking)
      double before = -1;
      double now = sample(get(page + "metrics").body(), "wasmfleet_page_snapshots_total");
      assertTrue(now >= 1, "the page asked for a snapshot");
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (now != before && System.nanoTime() < deadline) {
        before = now;
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofSeconds(1).toNanos()); // four refreshes: a poll
        now = sample(get(page + "metrics").body(), "wasmfleet_page_snapshots_total");
      }
      assertEquals(before, now, "no page open: no snapshot made for a second (of 15 s)");

      // no cross-site state changes, no rebound names
      assertEquals(403, post(page + "api/request", start).statusCode(), "without X-Wasmfleet-Request");
      HttpResponse<String> foreign = post(page + "api/request", start, "X-Wasmfleet-Request", "1",
          "Origin", "http://evil.example");
      assertEquals(403, foreign.statusCode());
      assertTrue(foreign.body().contains("cross-site request refused (Origin http://evil.example)"), foreign.body());
      assertReboundNameRefused(page);
      assertEquals(405, http.send(HttpRequest.newBuilder(URI.create(page + "api/request"))
          .method("DELETE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
          .statusCode());
    }
  }

  /** A request that names another host, as a page on a rebound DNS name would (raw: HttpClient sets Host itself). */
  private static void assertReboundNameRefused(String page) throws Exception {
    Matcher m = Pattern.compile("http://([^:]+):(\\d+)/").matcher(page);
    assertTrue(m.matches());
    try (java.net.Socket s = new java.net.Socket(m.group(1), Integer.parseInt(m.group(2)))) {
      s.getOutputStream().write(("GET /api/fleet HTTP/1.1\r\nHost: rebound.example:" + m.group(2)
          + "\r\nConnection: close\r\n\r\n").getBytes());
      String answer = new String(s.getInputStream().readAllBytes());
      assertTrue(answer.startsWith("HTTP/1.1 421"), answer);
      assertTrue(answer.contains("loopback names only"), answer);
    }
  }

  @Test
  void offLoopbackThePageNeedsItsToken() throws Exception {
    IllegalArgumentException noToken = assertThrows(IllegalArgumentException.class,
        () -> io.wasmfleet.gateway.web.DashboardSettings.fromConfig(com.typesafe.config.ConfigFactory.parseMap(Map.of(
            "dashboard.host", "0.0.0.0")).withFallback(com.typesafe.config.ConfigFactory.load()
            .getConfig("wasmfleet.gateway"))).checked());
    assertTrue(noToken.getMessage().contains("set wasmfleet.gateway.dashboard.token"), noToken.getMessage());
    try (GatewayFixture gw = GatewayFixture.start(List.of(GatewayFixture.Board.of("f446", "nucleo_f446re")),
        Map.of("wasmfleet.gateway.dashboard.host", "0.0.0.0", "wasmfleet.gateway.dashboard.token", "s3cret"))) {
      String page = "http://127.0.0.1:" + gw.node.dashboardPort() + "/";
      HttpResponse<String> anonymous = get(page + "api/fleet");
      assertEquals(401, anonymous.statusCode());
      assertTrue(anonymous.body().contains("needs its token"), anonymous.body());
      assertEquals(401, get(page + "metrics").statusCode());
      assertEquals(401, get(page + "api/fleet", "Authorization", "Bearer wrong").statusCode());
      assertEquals(401, post(page + "api/request", "{\"cmd\":\"status\",\"device\":\"f446\"}",
          "X-Wasmfleet-Request", "1").statusCode());
      assertEquals(200, get(page + "api/fleet", "Authorization", "Bearer s3cret").statusCode());
      assertEquals(200, get(page).statusCode(), "the page itself loads, and asks for the token");
      assertEquals(200, get(page + "health/ready").statusCode());
    }
  }
}
