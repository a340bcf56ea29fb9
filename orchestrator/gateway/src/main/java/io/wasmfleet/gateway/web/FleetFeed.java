package io.wasmfleet.gateway.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.gateway.NodeNames;
import io.wasmfleet.gateway.api.HostApi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * What the fleet page shows, as one JSON snapshot: every board of the cluster (the host API's
 * {@code boards}: node, link, slots, modules, pool) and the console tails of the first boards.
 * While a page watches (or asked within {@link #WANTED_FOR}), a snapshot is started every
 * {@code refresh} (a second one while the last is still being made, when the cluster is slow to
 * describe its boards); each watching page gets the newest as a server-sent event as soon as it
 * changed, so a change anywhere in the cluster shows within a refresh period and the time to
 * make one snapshot. Nobody watching: nothing is asked. (The snapshots the feed makes by itself
 * do not count as asking: when they did, every node made a view of the whole fleet four times a
 * second for good, the largest item in a node's profile with 1,000 boards.)
 */
final class FleetFeed {

  private static final Duration WANTED_FOR = Duration.ofSeconds(5);
  private static final ByteString KEEP_ALIVE = ByteString.fromString(": keep-alive\n\n");

  private final HostApi api;
  private final DashboardSettings settings;
  private final ObjectMapper json;
  private final String node;
  /** A snapshot and when it was begun: of two made at once, the one begun later is the newer. */
  private record Made(long begun, String json) {}

  private final AtomicReference<Made> latest = new AtomicReference<>();
  /** Each board's console tail as last fetched: shown when a fresh one is late. */
  private final Map<String, ObjectNode> lastTails = new ConcurrentHashMap<>();
  private final AtomicInteger watchers = new AtomicInteger();
  /** When a page last asked for a snapshot; nobody has yet. */
  private volatile long wantedAt = System.nanoTime() - WANTED_FOR.toNanos();
  private final GatewayMetrics metrics;

  FleetFeed(ActorSystem<?> system, HostApi api, DashboardSettings settings, ObjectMapper json) {
    this.api = api;
    this.settings = settings;
    this.json = json;
    this.node = NodeNames.own(system);
    this.metrics = GatewayMetrics.get(system);
    Source.tick(Duration.ZERO, settings.refresh(), "tick")
        .filter(t -> watchers.get() > 0 || System.nanoTime() - wantedAt < WANTED_FOR.toNanos())
        .mapAsync(2, t -> fresh().exceptionally(failure -> null)) // two at most
        .runWith(Sink.ignore(), Materializer.createMaterializer(system));
  }

  /** The newest snapshot made so far, or null. */
  private String newest() {
    Made made = latest.get();
    return made == null ? null : made.json();
  }

  /** A page asks for a snapshot: made now, and made on for {@link #WANTED_FOR}. */
  CompletionStage<String> snapshot() {
    wantedAt = System.nanoTime();
    return fresh();
  }

  /** A fresh snapshot, also kept as the newest unless one begun later was made first. */
  private CompletionStage<String> fresh() {
    long begun = System.nanoTime();
    metrics.pageSnapshot();
    // a board that does not describe itself within two refreshes shows as last seen this once,
    // and a console tail that does not come as soon shows as it was: a moving board, or a busy
    // node, never holds the page back
    Duration wait = settings.refresh().multipliedBy(2);
    return api.boards(wait).thenCompose(boards -> {
      ObjectNode out = json.createObjectNode();
      out.put("node", node);
      out.set("boards", boards.path("boards"));
      ObjectNode consoles = out.putObject("console");
      List<CompletableFuture<Void>> tails = new ArrayList<>();
      int n = 0;
      for (JsonNode b : boards.path("boards")) {
        String id = b.path("board").asText();
        if (n++ >= settings.consoleBoards() || !"CONNECTED".equals(b.path("link").asText())) {
          continue;
        }
        CompletableFuture<ObjectNode> fresh = api.query(request("console", id)).thenApply(c -> {
          ObjectNode tail = json.createObjectNode();
          tail.put("total", c.path("total").asLong());
          ArrayNode lines = tail.putArray("lines");
          List<JsonNode> all = new ArrayList<>();
          c.path("lines").forEach(all::add);
          all.subList(Math.max(0, all.size() - settings.consoleLines()), all.size()).forEach(lines::add);
          lastTails.put(id, tail);
          return tail;
        }).toCompletableFuture();
        // bound a copy: a tail that comes late is still kept, for the next snapshot
        tails.add(fresh.copy().completeOnTimeout(null, wait.toMillis(), TimeUnit.MILLISECONDS)
            .exceptionally(failure -> null)
            .thenAccept(tail -> {
              ObjectNode shown = tail != null ? tail : lastTails.get(id);
              if (shown != null) {
                synchronized (consoles) {
                  consoles.set(id, shown);
                }
              }
            }));
      }
      return CompletableFuture.allOf(tails.toArray(CompletableFuture[]::new)).thenApply(v -> {
        String s = out.toString();
        Made made = new Made(begun, s);
        latest.accumulateAndGet(made, (now, next) -> now == null || next.begun() - now.begun() > 0 ? next : now);
        return s;
      });
    });
  }

  private ObjectNode request(String cmd, String device) {
    ObjectNode r = json.createObjectNode();
    r.put("v", 2);
    r.put("cmd", cmd);
    if (device != null) {
      r.put("device", device);
    }
    return r;
  }

  /**
   * A watching page's stream: a fresh snapshot at once, then the snapshot as a server-sent event
   * each time it changed, and a comment now and then so the connection stays open.
   */
  Source<ByteString, NotUsed> events() {
    java.util.function.Predicate<String> changed = new java.util.function.Predicate<>() {
      private String last;

      @Override
      public boolean test(String s) {
        if (s == null || s.equals(last)) {
          return false;
        }
        last = s;
        return true;
      }
    };
    // the first event is made now: what was kept may be from long before this page came
    Source<String, NotUsed> now = Source.completionStage(snapshot().exceptionally(failure -> newest()))
        .filter(java.util.Objects::nonNull);
    // the newest snapshot, looked at often: a page sees a change as soon as it is made
    Duration look = settings.refresh().dividedBy(5);
    Source<String, ?> later = Source.tick(look, look, "tick")
        .map(t -> java.util.Optional.ofNullable(newest()))
        .filter(java.util.Optional::isPresent)
        .map(java.util.Optional::get);
    return now.concat(later)
        .filter(changed::test)
        .map(s -> ByteString.fromString("event: fleet\ndata: " + s + "\n\n"))
        .keepAlive(Dashboard.KEEP_ALIVE, () -> KEEP_ALIVE)
        .watchTermination((mat, done) -> {
          watchers.incrementAndGet();
          done.whenComplete((d, failure) -> watchers.decrementAndGet());
          return NotUsed.getInstance();
        });
  }
}
