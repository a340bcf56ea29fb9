package io.wasmfleet.gateway.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wasmfleet.gateway.NodeNames;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's metrics (micrometer, scraped as Prometheus text at the dashboard's {@code /metrics}):
 * host API requests by command and outcome with a latency histogram, and per board LOAD bytes and
 * throughput, CRC failures, retries, link connects and reboots seen. Every meter carries the
 * node's name; board meters the board's id. One registry per actor system (an extension), so a
 * DeviceActor reaches it from its context.
 */
public final class GatewayMetrics implements Extension {

  private static final ExtensionId<GatewayMetrics> ID = new ExtensionId<>() {
    @Override
    public GatewayMetrics createExtension(ActorSystem<?> system) {
      return new GatewayMetrics(NodeNames.own(system));
    }
  };

  public static GatewayMetrics get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final String node;
  private final Counter pageSnapshots;

  private GatewayMetrics(String node) {
    this.node = node;
    this.pageSnapshots = Counter.builder("wasmfleet.page.snapshots")
        .description("views of the whole fleet made for the fleet page (only while a page watches)")
        .tags("node", node).register(registry);
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** A host API request ended: its command ({@code cmd}, with {@code op} for v2), ok or error, how long. */
  public void request(String command, boolean ok, Duration took) {
    Timer.builder("wasmfleet.requests").description("host API requests, by command and outcome")
        .tags("node", node, "command", command, "outcome", ok ? "ok" : "error")
        .publishPercentileHistogram().register(registry).record(took);
  }

  /** A module loaded: its bytes and the upload's rate (LOAD_READY to LOAD_OK). */
  public void loaded(String board, long bytes, Duration took) {
    counter("wasmfleet.load.bytes", "module bytes loaded onto boards", board).increment(bytes);
    if (!took.isZero()) {
      DistributionSummary.builder("wasmfleet.load.throughput").baseUnit("bytes_per_second")
          .description("module upload rate, LOAD_READY to LOAD_OK").tags("node", node, "board", board)
          .register(registry).record(bytes * 1e9 / took.toNanos());
    }
  }

  /** Bytes written to a board for uploads: v1 payloads, LOAD v2 frames (framing and resends included). */
  public void uploadWritten(String board, long bytes) {
    counter("wasmfleet.load.wire.bytes", "bytes written to boards for module uploads, framing and resends included",
        board).increment(bytes);
  }

  /** A CRC failure: a whole payload ({@code payload}: LOAD_ERR BAD_CRC) or a LOAD v2 frame ({@code frame}: LOAD_NAK). */
  public void crcFailure(String board, String kind) {
    Counter.builder("wasmfleet.crc.failures").description("payloads and frames that failed their CRC")
        .tags("node", node, "board", board, "kind", kind).register(registry).increment();
  }

  /** Something sent again: a STATUS ({@code status}), LOAD v2 frames after a NAK or silence. */
  public void retry(String board, String kind) {
    Counter.builder("wasmfleet.retries").description("commands and frames sent again")
        .tags("node", node, "board", board, "kind", kind).register(registry).increment();
  }

  /** The link came up: the first time, or again after it was lost ({@code reconnect}). */
  public void connected(String board, boolean reconnect) {
    counter(reconnect ? "wasmfleet.reconnects" : "wasmfleet.connects",
        reconnect ? "links to boards made again after a loss" : "links to boards made first", board).increment();
  }

  /** A board said HELLO while it was driven: it rebooted. */
  public void rebooted(String board) {
    counter("wasmfleet.reboots", "board reboots seen (HELLO while driven)", board).increment();
  }

  /** The fleet page's view made once more (while a page watches, or asked lately). */
  void pageSnapshot() {
    pageSnapshots.increment();
  }

  private Counter counter(String name, String description, String board) {
    return Counter.builder(name).description(description).tags("node", node, "board", board).register(registry);
  }
}
