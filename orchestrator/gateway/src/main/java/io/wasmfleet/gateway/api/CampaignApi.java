package io.wasmfleet.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.gateway.campaign.CampaignSpec;
import io.wasmfleet.gateway.campaign.CampaignStore;
import io.wasmfleet.gateway.campaign.Campaigns;
import java.io.InputStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * {@code "cmd": "campaign"} (v2): {@code op} run, list, show, watch. A campaign is stored, then
 * handed to the cluster's campaign runner; whoever follows it (run with follow, or watch) reads
 * its progress from the store, so following works from any node and across a takeover.
 */
public final class CampaignApi {

  /** How often a follower looks at the store, and the longest silence before a progress line. */
  private static final long POLL_MS = 500;
  private static final long HEARTBEAT_MS = 5_000;
  /** Runs stored by another node with a clock a little behind are still seen. */
  private static final long POLL_OVERLAP_MS = 5_000;
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final CampaignStore store;
  private final ActorRef<Campaigns.Command> campaigns;
  private final ObjectMapper json;

  public CampaignApi(CampaignStore store, ActorRef<Campaigns.Command> campaigns, ObjectMapper json) {
    this.store = store;
    this.campaigns = campaigns;
    this.json = json;
  }

  ObjectNode handle(ApiRequest r, InputStream in, HostApi.Events events, Supplier<JsonNode> boards,
      ApiSettings settings) {
    String op = r.text("op", true);
    try {
      return switch (op) {
        case "run" -> run(r, in, events, boards, settings);
        case "list" -> {
          ArrayNode list = store.list();
          ObjectNode out = Answers.ok(list.size() + " campaigns");
          out.set("campaigns", list);
          yield out;
        }
        case "show" -> {
          ObjectNode c = find(r.text("id", true));
          ObjectNode out = Answers.ok("campaign " + c.path("id").asText() + " " + c.path("state").asText());
          out.set("campaign", c);
          yield out;
        }
        case "watch" -> follow(find(r.text("id", true)).path("id").asText(), events);
        default -> throw new ApiError("field 'op' must be run, list, show or watch, got '" + op + "'");
      };
    } catch (CampaignStore.StoreException e) {
      throw new ApiError(e.getMessage());
    }
  }

  private ObjectNode find(String id) {
    return store.load(id).orElseThrow(() -> new ApiError("unknown campaign '" + id + "' ('campaign list' shows them)"));
  }

  private ObjectNode run(ApiRequest r, InputStream in, HostApi.Events events, Supplier<JsonNode> boards,
      ApiSettings settings) {
    List<String> benches = list(r, "bench", "fft,toggle", CampaignSpec.BENCHES);
    List<String> modes = list(r, "modes", "interp,aot", CampaignSpec.MODES);
    int iterations = r.count("iterations", 100, 200_000);
    int repeats = r.count("repeats", 5, 1000);
    int resultTimeout = (int) r.seconds("result_timeout", 600).toSeconds();
    int parallel = r.count("parallel", 8, 256);
    String name = Optional.ofNullable(r.text("name", false)).orElse("campaign");
    if (name.isBlank() || name.length() > 200) {
      throw new ApiError("field 'name' must be 1 to 200 characters");
    }
    String select = r.text("select", true);
    List<FleetOperation.Target> targets = FleetOperation.select(select, boards.get());
    List<CampaignStore.Module> modules = modules(r, in, settings);
    for (String bench : benches) {
      if (modules.stream().noneMatch(m -> m.bench().equals(bench) && m.kind().equals("wasm"))) {
        throw new ApiError("no wasm module for bench '" + bench + "' in 'modules' (kind wasm)");
      }
    }
    CampaignSpec spec = new CampaignSpec(select, benches, modes, iterations, repeats, resultTimeout, parallel);
    Set<String> simulated = new HashSet<>();
    Set<String> nativeBuiltIn = new HashSet<>();
    for (JsonNode b : boards.get()) {
      if (b.path("simulated").asBoolean()) {
        simulated.add(b.path("board").asText());
      } else if (List.of(b.path("hello").path("caps").asText("").split(",")).contains("native")) {
        nativeBuiltIn.add(b.path("board").asText()); // our firmware: native C baselines built in
      }
    }
    List<CampaignStore.Cell> cells = new ArrayList<>();
    if (targets.stream().anyMatch(t -> simulated.contains(t.board()))) {
      benches.forEach(b -> cells.add(new CampaignStore.Cell(CampaignSpec.HOST, b, CampaignSpec.NATIVE)));
    }
    for (FleetOperation.Target t : targets) {
      for (String bench : benches) {
        if (nativeBuiltIn.contains(t.board())) {
          cells.add(new CampaignStore.Cell(t.board(), bench, CampaignSpec.NATIVE));
        }
        for (String mode : modes) {
          cells.add(new CampaignStore.Cell(t.board(), bench, mode));
        }
      }
    }
    String id = "c" + LocalDateTime.now().format(ID_TIME) + "-"
        + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    store.create(id, name, spec, modules, cells);
    campaigns.tell(Campaigns.Kick.INSTANCE);
    if (r.bool("follow", true)) {
      return follow(id, events);
    }
    ObjectNode out = Answers.ok("campaign " + id + " queued: " + cells.size() + " cells, "
        + cells.size() * repeats + " runs");
    out.put("campaign", id);
    out.put("cells", cells.size());
    out.put("runs_planned", cells.size() * repeats);
    return out;
  }

  /** A comma-separated list (or JSON array) of known words. */
  private static List<String> list(ApiRequest r, String field, String fallback, List<String> known) {
    String text = Optional.ofNullable(r.text(field, false)).orElse(fallback);
    List<String> out = new ArrayList<>();
    for (String w : text.split(",")) {
      String word = w.strip();
      if (!known.contains(word)) {
        throw new ApiError("field '" + field + "' takes " + String.join(", ", known) + "; got '" + word + "'");
      }
      if (!out.contains(word)) {
        out.add(word);
      }
    }
    return out;
  }

  /** {@code modules}: [{bench, kind: wasm|c, name, size, crc32}], their bytes after the line, in order. */
  private List<CampaignStore.Module> modules(ApiRequest r, InputStream in, ApiSettings settings) {
    JsonNode list = r.node("modules");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new ApiError("missing field 'modules': [{\"bench\": \"fft\", \"kind\": \"wasm\", \"name\": ...,"
          + " \"size\": N, \"crc32\": \"hex\"}, ...], their bytes after the request line");
    }
    List<CampaignStore.Module> out = new ArrayList<>();
    for (JsonNode m : list) {
      ApiRequest module = new ApiRequest(m);
      String bench = module.text("bench", true);
      String kind = module.text("kind", true);
      if (!CampaignSpec.BENCHES.contains(bench) || !List.of("wasm", "c").contains(kind)) {
        throw new ApiError("modules: bench must be one of " + CampaignSpec.BENCHES + " and kind wasm or c, got "
            + bench + "/" + kind);
      }
      String name = Optional.ofNullable(module.text("name", false)).orElse(bench + (kind.equals("c") ? ".c" : ".wasm"));
      byte[] bytes = Blobs.receive(module, in, "size", "crc32", settings.maxBlob());
      out.add(new CampaignStore.Module(bench, kind, name, bytes));
    }
    return out;
  }

  /**
   * Streams a campaign's progress from the store (a line per stored run and per ended cell, a
   * progress line at least every 5 s) until it ends, or the client goes away (the campaign goes
   * on). Polls: it reads what any node has stored.
   */
  private ObjectNode follow(String id, HostApi.Events events) {
    Set<String> seen = new HashSet<>();
    long lastEvent = System.currentTimeMillis();
    boolean first = true;
    long since = Long.MIN_VALUE;
    while (true) {
      // only the runs stored since the last look (with an overlap: `seen` drops repeats)
      long polled = System.currentTimeMillis();
      ObjectNode c = store.load(id, since)
          .orElseThrow(() -> new ApiError("unknown campaign '" + id + "' ('campaign list' shows them)"));
      since = polled - POLL_OVERLAP_MS;
      int planned = 0;
      int stored = 0;
      int failed = 0;
      int cells = c.path("cells").size();
      int repeats = c.path("spec").path("repeats").asInt();
      List<ObjectNode> news = new ArrayList<>();
      for (JsonNode cell : c.path("cells")) {
        planned += repeats;
        stored += cell.path("stored").asInt();
        for (JsonNode run : cell.path("runs")) {
          String key = cellKey(cell) + "|" + run.path("repeat_no").asInt();
          if (seen.add(key)) {
            ObjectNode e = cellEvent("run", cell);
            e.put("repeat", run.path("repeat_no").asInt());
            e.put("elapsed_us", run.path("elapsed_us").asDouble());
            e.put("count", run.path("count").asLong());
            if (run.has("cycles")) {
              e.put("cycles", run.path("cycles").asLong());
            }
            if (run.has("toggles")) {
              e.put("toggles", run.path("toggles").asLong());
            }
            news.add(e);
          }
        }
        String state = cell.path("state").asText();
        if (state.equals(CampaignStore.FAILED)) {
          failed++;
        }
        if (!state.equals(CampaignStore.PENDING) && seen.add(cellKey(cell) + "|end")) {
          ObjectNode e = cellEvent("cell", cell);
          e.put("state", state);
          if (cell.has("error")) {
            e.put("error", cell.path("error").asText());
          }
          news.add(e);
        }
      }
      if (first) {
        ObjectNode e = json.createObjectNode();
        e.put("event", "campaign");
        e.put("campaign", id);
        e.put("name", c.path("name").asText());
        e.put("cells", cells);
        e.put("runs_planned", planned);
        events.accept(e);
        first = false;
      }
      int done = stored - (int) news.stream().filter(e -> e.path("event").asText().equals("run")).count();
      for (ObjectNode e : news) {
        if (e.path("event").asText().equals("run")) {
          done++;
        }
        e.put("done", done);
        e.put("of", planned);
        events.accept(e);
        lastEvent = System.currentTimeMillis();
      }
      String state = c.path("state").asText();
      if (state.equals(CampaignStore.DONE) || state.equals(CampaignStore.FAILED)) {
        return summary(c, stored, failed);
      }
      if (System.currentTimeMillis() - lastEvent >= HEARTBEAT_MS) {
        ObjectNode e = json.createObjectNode();
        e.put("event", "progress");
        e.put("campaign", id);
        e.put("state", state);
        e.put("node", c.path("node").asText(""));
        e.put("done", stored);
        e.put("of", planned);
        events.accept(e);
        lastEvent = System.currentTimeMillis();
      }
      if (!events.open()) {
        return Answers.error("the client went away; campaign " + id + " goes on");
      }
      try {
        Thread.sleep(POLL_MS); // a poll of the store for progress, not a synchronisation
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ApiError("interrupted; campaign " + id + " goes on");
      }
    }
  }

  private ObjectNode summary(JsonNode c, int stored, int failed) {
    String id = c.path("id").asText();
    int cells = c.path("cells").size();
    StringBuilder detail = new StringBuilder("campaign " + id + " " + c.path("state").asText() + ": " + stored
        + " runs stored, " + failed + " of " + cells + " cells failed");
    int resumes = c.path("resumes").asInt();
    if (resumes > 0) {
      detail.append(" (resumed ").append(resumes).append(resumes == 1 ? " time" : " times")
          .append(", finished on ").append(c.path("node").asText()).append(')');
    }
    ObjectNode out = c.path("state").asText().equals(CampaignStore.DONE) ? Answers.ok(detail.toString())
        : Answers.error(detail.toString());
    out.put("campaign", id);
    out.put("state", c.path("state").asText());
    out.put("runs", stored);
    out.put("cells", cells);
    out.put("failed", failed);
    out.put("resumes", resumes);
    out.put("node", c.path("node").asText(""));
    if (c.has("note")) {
      out.put("note", c.path("note").asText());
    }
    ArrayNode failures = out.putArray("failures");
    for (JsonNode cell : c.path("cells")) {
      if (cell.path("state").asText().equals(CampaignStore.FAILED)) {
        ObjectNode f = failures.addObject();
        f.put("board", cell.path("board").asText());
        f.put("bench", cell.path("bench").asText());
        f.put("mode", cell.path("mode").asText());
        f.put("error", cell.path("error").asText());
      }
    }
    return out;
  }

  private static String cellKey(JsonNode cell) {
    return cell.path("board").asText() + "|" + cell.path("bench").asText() + "|" + cell.path("mode").asText();
  }

  private ObjectNode cellEvent(String event, JsonNode cell) {
    ObjectNode e = json.createObjectNode();
    e.put("event", event);
    e.put("board", cell.path("board").asText());
    e.put("bench", cell.path("bench").asText());
    e.put("mode", cell.path("mode").asText());
    return e;
  }
}
