package io.wasmfleet.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.gateway.Failures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One fleet-wide operation: the same request on many boards, {@code parallel} at a time.
 * Every board ends with its own outcome (ok, or failed with a reason); one board's failure
 * never stops the others. Progress goes out as events while it runs; the result is a summary
 * with every board's outcome.
 */
final class FleetOperation {

  /** A selected board: its id, and the node and cpu the board list gave for it (null when down). */
  record Target(String board, String node, String cpu, String unavailable) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private FleetOperation() {}

  /**
   * Runs {@code perBoard} for every target as a stream, {@code parallel} boards at a time, in
   * the order they finish; {@code events} receives one {@code board} event per board as it
   * finishes. Completes with the {@code done} summary.
   */
  static CompletionStage<ObjectNode> run(String op, List<Target> targets, int parallel,
      Function<Target, CompletionStage<ObjectNode>> perBoard, Consumer<ObjectNode> events, Materializer materializer) {
    int[] finished = {0};
    return Source.from(targets)
        .mapAsyncUnordered(Math.max(1, parallel), t -> outcome(t, perBoard))
        .map(event -> {
          event.put("done", ++finished[0]);
          event.put("of", targets.size());
          events.accept(event);
          return event;
        })
        .runWith(Sink.seq(), materializer)
        .thenApply(all -> summary(op, targets.size(), all));
  }

  /** One board's outcome as its {@code board} event: ok, or failed with a reason; never a failed stage. */
  private static CompletionStage<ObjectNode> outcome(Target t, Function<Target, CompletionStage<ObjectNode>> perBoard) {
    long start = System.nanoTime();
    CompletionStage<ObjectNode> work;
    try {
      work = t.unavailable() != null ? CompletableFuture.completedFuture(Answers.error(t.unavailable()))
          : perBoard.apply(t);
    } catch (RuntimeException e) {
      work = CompletableFuture.failedFuture(e);
    }
    return work.handle((result, failure) -> {
      ObjectNode event = JSON.createObjectNode();
      event.put("event", "board");
      event.put("board", t.board());
      if (t.node() != null) {
        event.put("node", t.node());
      }
      event.put("ms", (System.nanoTime() - start) / 1_000_000);
      event.setAll(failure == null ? result : Answers.error(reason(failure)));
      return event;
    });
  }

  private static String reason(Throwable failure) {
    Throwable cause = Failures.cause(failure);
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }

  private static ObjectNode summary(String op, int total, List<ObjectNode> events) {
    Map<String, ObjectNode> results = new TreeMap<>();
    events.forEach(e -> results.put(e.path("board").asText(), e));
    int ok = (int) results.values().stream().filter(r -> r.path("ok").asBoolean()).count();
    ObjectNode done = JSON.createObjectNode();
    done.put("event", "done");
    done.put("ok", ok == total);
    done.put("detail", op + ": " + ok + " of " + total + " boards ok, " + (total - ok) + " failed");
    ObjectNode summary = done.putObject("summary");
    summary.put("total", total);
    summary.put("ok", ok);
    summary.put("failed", total - ok);
    ArrayNode list = done.putArray("results");
    results.values().forEach(r -> list.add(r.deepCopy().without(List.of("event", "done", "of"))));
    return done;
  }

  /**
   * Which boards a {@code select} names: {@code all}, {@code board=a,b} or {@code tag=T}, out
   * of the fleet's board list (as {@code boards} answers it).
   */
  static List<Target> select(String select, JsonNode boards) {
    if (select == null || select.isBlank()) {
      throw new ApiError("missing field 'select': all, board=ID[,ID...] or tag=TAG");
    }
    List<Target> out = new ArrayList<>();
    List<String> wanted = null;
    String tag = null;
    if (select.startsWith("board=")) {
      wanted = List.of(select.substring(6).split(","));
    } else if (select.startsWith("tag=")) {
      tag = select.substring(4);
    } else if (!select.equals("all")) {
      throw new ApiError("field 'select' must be all, board=ID[,ID...] or tag=TAG, got '" + select + "'");
    }
    List<String> known = new ArrayList<>();
    for (JsonNode b : boards) {
      String id = b.path("board").asText();
      known.add(id);
      boolean match = wanted != null ? wanted.contains(id) : tag == null || hasTag(b, tag);
      if (match) {
        boolean down = "OWNER_DOWN".equals(b.path("link").asText());
        out.add(new Target(id, b.path("node").asText(null), b.path("cpu").asText(null),
            down ? "board " + id + " is unavailable: owner node " + b.path("node").asText() + " is down" : null));
      }
    }
    if (wanted != null) {
      for (String w : wanted) {
        if (!known.contains(w)) {
          throw new ApiError("device '" + w + "' is not known; known: " + String.join(", ", known));
        }
      }
    }
    if (out.isEmpty()) {
      throw new ApiError("select '" + select + "' matches no board; boards: " + String.join(", ", known));
    }
    return out;
  }

  private static boolean hasTag(JsonNode board, String tag) {
    for (JsonNode t : board.path("tags")) {
      if (t.asText().equals(tag)) {
        return true;
      }
    }
    return false;
  }
}
