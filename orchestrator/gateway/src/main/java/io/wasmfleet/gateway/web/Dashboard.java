package io.wasmfleet.gateway.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.gateway.api.HostApi;
import io.wasmfleet.hostapi.JsonLines;
import io.wasmfleet.protocol.Crc32;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The node's web face, on pekko-http: the fleet page ({@code /}, plain ES modules from the
 * classpath's {@code dashboard/}), its API ({@code /api/...}), {@code /metrics} in Prometheus
 * text and {@code /health/live}, {@code /health/ready}.
 *
 * <p>The page's actions go through {@link HostApi#handle}, so they pass the same checks and get
 * the same errors as the host API; their answers come back as JSON lines (progress events, then
 * the answer), so fleet operations show per-board progress as it happens. The page's live view
 * is a stream of fleet snapshots ({@link FleetFeed}).
 *
 * <p>Security: with a token (required off loopback) every {@code /api} and {@code /metrics}
 * request carries {@code Authorization: Bearer <token>}. A state-changing request must also be a
 * POST with {@code X-Wasmfleet-Request: 1} and no foreign {@code Origin}, which no cross-site
 * page can send without a CORS grant (never given); on loopback the {@code Host} must be a
 * loopback name, so a rebound DNS name cannot reach it either. Everything the page shows from a
 * board is inserted as text, and the CSP allows only the page's own scripts.
 */
public final class Dashboard {

  private static final Map<String, ContentType> TYPES = Map.of(
      "html", ContentTypes.TEXT_HTML_UTF8,
      "js", ContentTypes.create(MediaTypes.APPLICATION_JAVASCRIPT, HttpCharsets.UTF_8),
      "css", ContentTypes.create(MediaTypes.TEXT_CSS, HttpCharsets.UTF_8),
      "svg", ContentTypes.create(MediaTypes.IMAGE_SVG_XML));
  private static final ContentType NDJSON = ContentTypes.create(
      MediaTypes.applicationWithFixedCharset("x-ndjson", HttpCharsets.UTF_8, "ndjson"));
  /** Prometheus' text format 0.0.4 (what {@link GatewayMetrics#scrape} writes). */
  private static final ContentType PROMETHEUS = ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");
  private static final List<HttpHeader> SAFE = List.of(
      RawHeader.create("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self';"
          + " connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Referrer-Policy", "no-referrer"),
      RawHeader.create("Cache-Control", "no-store"));

  private final ActorSystem<?> system;
  private final DashboardSettings settings;
  private final HostApi api;
  private final FleetFeed feed;
  private final GatewayMetrics metrics;
  private final ObjectMapper json;
  private final long maxBlob;
  private final Materializer materializer;
  private volatile boolean ready;

  public Dashboard(ActorSystem<?> system, DashboardSettings settings, HostApi api, ObjectMapper json, long maxBlob) {
    this.system = system;
    this.settings = settings.checked();
    this.api = api;
    this.json = json;
    this.maxBlob = maxBlob;
    this.metrics = GatewayMetrics.get(system);
    this.materializer = Materializer.createMaterializer(system);
    this.feed = new FleetFeed(system, api, settings, json);
  }

  /** Binds the page; completes with the address it serves on. */
  public CompletionStage<InetSocketAddress> bind() {
    return Http.get(system).newServerAt(settings.host(), settings.port())
        .bind(this::handle)
        .thenApply(ServerBinding::localAddress);
  }

  /** The node is serving its host API: /health/ready says so from now on. */
  public void ready() {
    ready = true;
  }

  CompletionStage<HttpResponse> handle(HttpRequest request) {
    String path = request.getUri().path();
    try {
      if (path.equals("/health/live")) {
        return done(text(StatusCodes.OK, "live\n"));
      }
      if (path.equals("/health/ready")) {
        return done(ready ? text(StatusCodes.OK, "ready\n")
            : text(StatusCodes.SERVICE_UNAVAILABLE, "not ready: the node is joining its cluster\n"));
      }
      Optional<String> refusal = hostRefusal(request);
      if (refusal.isPresent()) {
        return done(error(StatusCodes.MISDIRECTED_REQUEST, refusal.get()));
      }
      if (path.equals("/metrics") || path.startsWith("/api/")) {
        Optional<String> denied = tokenRefusal(request);
        if (denied.isPresent()) {
          return done(error(StatusCodes.UNAUTHORIZED, denied.get())
              .addHeader(RawHeader.create("WWW-Authenticate", "Bearer realm=\"wasmfleet\"")));
        }
      }
      if (request.method() == HttpMethods.POST) {
        Optional<String> forged = crossSiteRefusal(request);
        if (forged.isPresent()) {
          return done(error(StatusCodes.FORBIDDEN, forged.get()));
        }
        CompletionStage<HttpResponse> action = switch (path) {
          case "/api/request" -> bodyOf(request, 1024 * 1024).thenApply(body -> serve(parse(body), new byte[0]));
          case "/api/deploy" -> bodyOf(request, maxBlob).thenApply(body -> serve(deployRequest(request, body), body));
          default -> CompletableFuture.completedFuture(error(StatusCodes.NOT_FOUND, "no such action: POST " + path));
        };
        return action.exceptionally(this::refused).thenApply(r -> r.addHeaders(SAFE));
      }
      if (request.method() != HttpMethods.GET) {
        return done(error(StatusCodes.METHOD_NOT_ALLOWED, request.method().value() + " " + path
            + ": the page's actions are POSTs to /api/request and /api/deploy"));
      }
      if (path.equals("/api/fleet")) {
        return feed.snapshot().thenApply(s -> HttpResponse.create()
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, s)).addHeaders(SAFE));
      }
      return done(switch (path) {
        case "/metrics" -> HttpResponse.create().withEntity(HttpEntities.create(PROMETHEUS,
            metrics.scrape().getBytes(StandardCharsets.UTF_8)));
        case "/api/events" -> HttpResponse.create().withEntity(HttpEntities.createChunked(
            ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), feed.events()));
        default -> resource(path);
      });
    } catch (IllegalArgumentException e) {
      return done(error(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response.addHeaders(SAFE));
  }

  // ---- security -----------------------------------------------------------------------------

  /** On loopback only loopback names may address the page (no DNS rebinding). */
  private Optional<String> hostRefusal(HttpRequest request) {
    if (!settings.loopback()) {
      return Optional.empty();
    }
    String host = request.getUri().host().address();
    boolean local = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    return local ? Optional.empty()
        : Optional.of("this page answers on loopback names only (the request named host " + host + ")");
  }

  private Optional<String> tokenRefusal(HttpRequest request) {
    if (settings.token().isBlank()) {
      return Optional.empty();
    }
    String given = request.getHeader("Authorization").map(HttpHeader::value).orElse("");
    byte[] want = ("Bearer " + settings.token()).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(want, given.getBytes(StandardCharsets.UTF_8)) ? Optional.empty()
        : Optional.of(given.isEmpty() ? "this gateway's page needs its token (Authorization: Bearer <token>)"
            : "wrong token");
  }

  private static Optional<String> crossSiteRefusal(HttpRequest request) {
    if (!request.getHeader("X-Wasmfleet-Request").map(HttpHeader::value).orElse("").equals("1")) {
      return Optional.of("a state-changing request needs the header X-Wasmfleet-Request: 1");
    }
    Optional<String> origin = request.getHeader("Origin").map(HttpHeader::value);
    String self = request.getUri().scheme() + "://" + request.getUri().getHost().address()
        + (request.getUri().port() > 0 ? ":" + request.getUri().port() : "");
    if (origin.isPresent() && !origin.get().equals(self)) {
      return Optional.of("cross-site request refused (Origin " + origin.get() + ")");
    }
    String site = request.getHeader("Sec-Fetch-Site").map(HttpHeader::value).orElse("same-origin");
    if (!site.equals("same-origin") && !site.equals("none")) {
      return Optional.of("cross-site request refused (Sec-Fetch-Site: " + site + ")");
    }
    return Optional.empty();
  }

  // ---- actions ------------------------------------------------------------------------------

  /** A POST that failed before it reached the host API: a body too large, or no JSON. */
  private HttpResponse refused(Throwable failure) {
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (cause instanceof org.apache.pekko.http.scaladsl.model.EntityStreamSizeException) {
      return error(StatusCodes.PAYLOAD_TOO_LARGE, "the body is larger than this gateway takes ("
          + maxBlob + " bytes: wasmfleet.gateway.api.max-blob)");
    }
    return error(StatusCodes.BAD_REQUEST, String.valueOf(cause.getMessage()));
  }

  private CompletionStage<byte[]> bodyOf(HttpRequest request, long max) {
    return request.entity().withSizeLimit(max).toStrict(30_000, materializer)
        .thenApply(strict -> strict.getData().toArray());
  }

  private JsonNode parse(byte[] body) {
    try {
      JsonNode node = json.readTree(body);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("the body must be one JSON object, a host API request");
      }
      return node;
    } catch (IOException e) {
      throw new IllegalArgumentException("the body is not JSON: " + JsonLines.problem(e));
    }
  }

  /**
   * A deploy from the page: the module is the body, the rest the query (device, module_id,
   * replace, replace_victim); with {@code select} instead of {@code device}, a fleet deploy.
   */
  private ObjectNode deployRequest(HttpRequest request, byte[] body) {
    ObjectNode r = json.createObjectNode();
    if (request.getUri().query().get("select").isPresent()) {
      r.put("v", 2);
      r.put("cmd", "fleet");
      r.put("op", "deploy");
    } else {
      r.put("cmd", "load");
    }
    for (String key : List.of("device", "select", "module_id", "replace_victim", "blob_name")) {
      request.getUri().query().get(key).ifPresent(v -> r.put(key, v));
    }
    request.getUri().query().get("replace").ifPresent(v -> r.put("replace", v.equals("1") || v.equals("true")));
    r.put("blob_size", body.length);
    r.put("blob_crc32", Crc32.hex(Crc32.of(body)));
    return r;
  }

  /**
   * Serves a host API request; its progress events and then its answer, as JSON lines. A client
   * that reads too slowly misses progress events past {@link #EVENTS_BUFFERED}, never the answer:
   * the last place in the buffer is kept for it.
   */
  private HttpResponse serve(JsonNode request, byte[] blob) {
    org.apache.pekko.japi.Pair<BoundedSourceQueue<ByteString>, Source<ByteString, org.apache.pekko.NotUsed>> mat =
        Source.<ByteString>queue(EVENTS_BUFFERED + 1).preMaterialize(materializer);
    BoundedSourceQueue<ByteString> queue = mat.first();
    HostApi.Events events = event -> {
      synchronized (queue) {
        if (queue.size() < EVENTS_BUFFERED) {
          queue.offer(line(event));
        }
      }
    };
    api.handle(request, new ByteArrayInputStream(blob), events).whenComplete((answer, failure) -> {
      synchronized (queue) {
        queue.offer(line(answer != null ? answer : json.createObjectNode().put("ok", false)
            .put("error", "internal error: " + failure)));
        queue.complete();
      }
    });
    return HttpResponse.create().withEntity(HttpEntities.createChunked(NDJSON, mat.second()));
  }

  /** Progress lines an action's answer may hold back for a slow page. */
  private static final int EVENTS_BUFFERED = 1024;

  private ByteString line(JsonNode node) {
    return ByteString.fromString(node.toString() + "\n");
  }

  // ---- the page -----------------------------------------------------------------------------

  private HttpResponse resource(String path) {
    String name = path.equals("/") ? "index.html" : path.substring(1);
    int dot = name.lastIndexOf('.');
    ContentType type = dot < 0 ? null : TYPES.get(name.substring(dot + 1));
    byte[] body = type == null || !name.matches("[a-z0-9_-]+\\.[a-z]+") ? null
        : files.computeIfAbsent(name, Dashboard::readResource).orElse(null);
    return body == null ? error(StatusCodes.NOT_FOUND, "not found: " + path)
        : HttpResponse.create().withEntity(HttpEntities.create(type, body));
  }

  /** The page's files, read from the classpath once each. */
  private final java.util.Map<String, Optional<byte[]>> files = new java.util.concurrent.ConcurrentHashMap<>();

  private static Optional<byte[]> readResource(String name) {
    try (InputStream in = Dashboard.class.getResourceAsStream("/dashboard/" + name)) {
      return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("reading the page's " + name, e);
    }
  }

  private static HttpResponse text(StatusCode status, String body) {
    return HttpResponse.create().withStatus(status).withEntity(ContentTypes.TEXT_PLAIN_UTF8, body);
  }

  private HttpResponse error(StatusCode status, String message) {
    ObjectNode body = json.createObjectNode().put("ok", false).put("error", message);
    return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, body.toString());
  }

  /** How often a watching page's stream is sent a comment, so proxies keep it open. */
  static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
}
