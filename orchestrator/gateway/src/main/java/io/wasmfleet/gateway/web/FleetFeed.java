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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * While a page watches (or asked lately), the snapshot is made again every {@code refresh}; each
 * watching page gets it as a server-sent event whenever it changed, so a change anywhere in the
 * cluster shows within about two refresh periods. Nobody watching: nothing is asked.
 */
final class FleetFeed {

  private static final Duration WANTED_FOR = Duration.ofSeconds(5);
  private static final ByteString KEEP_ALIVE = ByteString.fromString(": keep-alive\n\n");

  private final HostApi api;
  private final DashboardSettings settings;
  private final ObjectMapper json;
  private final String node;
  private final AtomicReference<String> latest = new AtomicReference<>();
  private final AtomicInteger watchers = new AtomicInteger();
  private volatile long wantedAt = System.nanoTime();

  FleetFeed(ActorSystem<?> system, HostApi api, DashboardSettings settings, ObjectMapper json) {
    this.api = api;
    this.settings = settings;
    this.json = json;
    this.node = NodeNames.own(system);
    Source.tick(Duration.ZERO, settings.refresh(), "tick")
        .filter(t -> watchers.get() > 0 || System.nanoTime() - wantedAt < WANTED_FOR.toNanos())
        .mapAsync(1, t -> snapshot().exceptionally(failure -> latest.get()))
        .runWith(Sink.foreach(s -> {
          if (s != null) {
            latest.set(s);
          }
        }), Materializer.createMaterializer(system));
  }

  /** A fresh snapshot, also kept as the latest. */
  CompletionStage<String> snapshot() {
    wantedAt = System.nanoTime();
    return api.query(request("boards", null)).thenCompose(boards -> {
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
        tails.add(api.query(request("console", id)).thenAccept(c -> {
          ObjectNode tail = json.createObjectNode();
          tail.put("total", c.path("total").asLong());
          ArrayNode lines = tail.putArray("lines");
          List<JsonNode> all = new ArrayList<>();
          c.path("lines").forEach(all::add);
          all.subList(Math.max(0, all.size() - settings.consoleLines()), all.size()).forEach(lines::add);
          synchronized (consoles) {
            consoles.set(id, tail);
          }
        }).toCompletableFuture());
      }
      return CompletableFuture.allOf(tails.toArray(CompletableFuture[]::new)).thenApply(v -> {
        String s = out.toString();
        latest.set(s);
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
    Source<String, NotUsed> now = Source.completionStage(snapshot().exceptionally(failure -> latest.get()))
        .filter(java.util.Objects::nonNull);
    Source<String, ?> later = Source.tick(settings.refresh(), settings.refresh(), "tick")
        .map(t -> java.util.Optional.ofNullable(latest.get()))
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
