package io.wasmfleet.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * The host API's TCP server on Pekko Streams: it binds when told to {@link Open} (once the node
 * is Up and its boards are registered) and gives every accepted connection its own
 * {@link ApiConnection} actor: one JSON line (plus a blob) in, progress events and exactly one
 * JSON line out. Over {@code max-connections} at once, a connection is answered with an error.
 */
public final class HostApiServer {

  public sealed interface Command {}

  /** Bind now; {@code bound} completes with the address, or fails with why not. */
  public record Open(CompletableFuture<InetSocketAddress> bound) implements Command {}

  private record Accepted(Tcp.IncomingConnection connection) implements Command {}

  private record Bound(Tcp.ServerBinding binding, CompletableFuture<InetSocketAddress> bound) implements Command {}

  private record BindFailed(Throwable cause, CompletableFuture<InetSocketAddress> bound) implements Command {}

  public static Behavior<Command> create(ApiSettings settings, HostApi api, ObjectMapper json) {
    return Behaviors.setup(context -> Behaviors.receive(Command.class)
        .onMessage(Open.class, open -> {
          Materializer mat = Materializer.matFromSystem(context.getSystem());
          // half-close: the client may still be sending when the answer is written; its bytes are read, not reset
          context.pipeToSelf(Tcp.get(context.getSystem())
                  .bind(settings.host(), settings.port(), 100, List.of(), true, Optional.empty())
                  .to(Sink.foreach(c -> context.getSelf().tell(new Accepted(c))))
                  .run(mat),
              (binding, failure) -> failure == null ? new Bound(binding, open.bound())
                  : new BindFailed(failure, open.bound()));
          return Behaviors.same();
        })
        // a client may connect before Bound is here (StartUpTest hammers the port): its connection is served
        .onMessage(Accepted.class, m -> accept(context, m, settings, api, json))
        .onMessage(BindFailed.class, m -> {
          m.bound().completeExceptionally(new java.io.IOException("cannot listen on " + settings.host() + ":"
              + settings.port() + ": " + m.cause().getMessage(), m.cause()));
          return Behaviors.stopped();
        })
        .onMessage(Bound.class, m -> {
          m.bound().complete(m.binding().localAddress());
          return serving(context, m.binding(), settings, api, json);
        })
        .build());
  }

  private static Behavior<Command> serving(ActorContext<Command> context, Tcp.ServerBinding binding,
      ApiSettings settings, HostApi api, ObjectMapper json) {
    return Behaviors.receive(Command.class)
        .onMessage(Accepted.class, m -> accept(context, m, settings, api, json))
        .onSignal(PostStop.class, s -> {
          binding.unbind();
          return Behaviors.same();
        })
        .build();
  }

  /** Every accepted connection gets its own ApiConnection, or over max-connections an error answer. */
  private static Behavior<Command> accept(ActorContext<Command> context, Accepted m, ApiSettings settings, HostApi api,
      ObjectMapper json) {
    if (context.getChildren().size() >= settings.maxConnections()) {
      refuse(context, m.connection(), settings);
    } else {
      context.spawnAnonymous(ApiConnection.create(m.connection(), api, settings, json));
    }
    return Behaviors.same();
  }

  private static void refuse(ActorContext<Command> context, Tcp.IncomingConnection connection, ApiSettings settings) {
    String line = "{\"ok\":false,\"error\":\"the gateway serves at most " + settings.maxConnections()
        + " connections at once (host-api max-connections); try again\"}\n";
    connection.handleWith(Flow.fromSinkAndSource(Sink.ignore(),
        Source.single(ByteString.fromString(line, StandardCharsets.UTF_8))), context.getSystem());
  }

  private HostApiServer() {}
}
