package io.wasmfleet.gateway.device;

import io.wasmfleet.gateway.device.DeviceActor.Command;
import io.wasmfleet.gateway.device.DeviceActor.ConnectFailed;
import io.wasmfleet.gateway.device.DeviceActor.Connected;
import io.wasmfleet.gateway.device.DeviceActor.LineAck;
import io.wasmfleet.gateway.device.DeviceActor.LineReceived;
import io.wasmfleet.gateway.device.DeviceActor.LinkClosed;
import io.wasmfleet.gateway.device.DeviceActor.LinkStarted;
import io.wasmfleet.gateway.device.DeviceActor.Reconnect;
import io.wasmfleet.gateway.transport.BoardConnection;
import io.wasmfleet.gateway.web.GatewayMetrics;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.typed.javadsl.ActorSink;

/**
 * A DeviceActor's link to its board: opening it (a {@link BoardConnection} whose lines come to
 * the actor with backpressure, the first once the actor has the link), its generation (whatever
 * an older link sends is ignored), reopening it with exponential backoff, and the last reason it
 * failed. What a link's coming and going means for the commands is the actor's.
 *
 * <p>A part of the {@link DeviceActor}: it uses the actor's context and timers, and is called on
 * the actor's thread only.
 */
final class BoardLink {

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final BoardConfig board;
  private final DeviceTimeouts timeouts;
  private final Executor blockingIo;
  private final GatewayMetrics metrics;
  private BoardConnection connection;
  /** The link being opened started its stream before Connected: its first line waits for this ack. */
  private ActorRef<LineAck> started;
  private long generation;
  private Duration backoff;
  private String lastError = "not connected yet";
  /** The link was up before: the next one is a reconnect. */
  private boolean everConnected;

  BoardLink(ActorContext<Command> context, TimerScheduler<Command> timers, BoardConfig board, DeviceTimeouts timeouts,
      Executor blockingIo, GatewayMetrics metrics) {
    this.context = context;
    this.timers = timers;
    this.board = board;
    this.timeouts = timeouts;
    this.blockingIo = blockingIo;
    this.metrics = metrics;
    this.backoff = timeouts.reconnectMin();
  }

  /** Opens a new link; the actor hears {@link Connected} or {@link ConnectFailed}. */
  void open() {
    long gen = ++generation;
    started = null;
    // the board's lines come with backpressure: the link sends the next once the actor took one
    Sink<String, NotUsed> lines = ActorSink.actorRefWithBackpressure(context.getSelf(),
        (ActorRef<LineAck> ackTo, String line) -> new LineReceived(line, gen, ackTo),
        ackTo -> new LinkStarted(gen, ackTo), LineAck.INSTANCE,
        new LinkClosed("closed by the board", gen), failure -> new LinkClosed(reason(failure), gen));
    CompletionStage<BoardConnection> opening = BoardConnection.open(context.getSystem(), board.endpoint(),
        board.baud(), timeouts.payloadLead(), timeouts.connect(), "board-" + board.id(), blockingIo, lines);
    context.pipeToSelf(opening, (c, failure) -> failure == null
        ? new Connected(c, gen)
        : new ConnectFailed(reason(failure), gen));
  }

  /** True when {@code gen} is the link opened last (anything of an older one is stale). */
  boolean current(long gen) {
    return gen == generation;
  }

  /** The stream of the link being opened started: its lines flow once it is connected. */
  void onStarted(LinkStarted m) {
    if (current(m.generation())) {
      if (connection != null) {
        m.ackTo().tell(LineAck.INSTANCE);
      } else {
        started = m.ackTo();
      }
    }
  }

  /** True when the link is up now; false for an older attempt's connection, which is closed. */
  boolean onConnected(Connected m) {
    if (!current(m.generation())) {
      m.connection().close();
      return false;
    }
    connection = m.connection();
    if (started != null) {
      started.tell(LineAck.INSTANCE); // now its lines may come
      started = null;
    }
    context.getLog().info("board {}: connected to {}", board.id(), board.endpoint());
    metrics.connected(board.id(), everConnected);
    everConnected = true;
    backoff = timeouts.reconnectMin();
    return true;
  }

  /** Opening failed: tried again after the backoff, which doubles up to {@code reconnect-max}. */
  void onConnectFailed(ConnectFailed m) {
    if (!current(m.generation())) {
      return;
    }
    if (!m.reason().equals(lastError)) {
      context.getLog().warn("board {}: cannot connect: {} (retrying)", board.id(), m.reason());
    }
    lastError = m.reason();
    retryLater();
    Duration doubled = backoff.multipliedBy(2);
    backoff = doubled.compareTo(timeouts.reconnectMax()) > 0 ? timeouts.reconnectMax() : doubled;
  }

  /** True when the link that closed is the current one: it is gone, and opened again after the backoff. */
  boolean onClosed(LinkClosed m) {
    if (!current(m.generation())) {
      return false;
    }
    context.getLog().warn("board {}: link lost: {}", board.id(), m.reason());
    lastError = "link lost: " + m.reason();
    connection.cancelPayloads();
    connection = null;
    retryLater();
    return true;
  }

  private void retryLater() {
    timers.startSingleTimer(Reconnect.INSTANCE, backoff);
  }

  /** The actor stops: the link is let go at once, and nothing of it is heard again. */
  void close() {
    generation++;
    if (connection != null) {
      connection.close();
      connection = null;
    }
  }

  /** The link, or null while there is none. */
  BoardConnection connection() {
    return connection;
  }

  boolean up() {
    return connection != null;
  }

  String lastError() {
    return lastError;
  }

  /** The innermost message of a failure, the way a user reads it. */
  static String reason(Throwable t) {
    Throwable cause = t;
    while (cause.getCause() != null && (cause.getMessage() == null || cause instanceof CompletionException)) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }
}
