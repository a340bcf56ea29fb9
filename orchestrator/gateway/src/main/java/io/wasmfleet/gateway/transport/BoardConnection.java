package io.wasmfleet.gateway.transport;

import com.fazecast.jSerialComm.SerialPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.ThrottleMode;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamConverters;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * One open link to a board, as a Pekko stream: a TCP connection (Pekko {@code Tcp}, no thread
 * of its own) or a serial port (jSerialComm's streams on the blocking-io dispatcher). Outbound,
 * command lines and LOAD payloads go through one queue, so they keep their order, and are
 * written no faster than the board's UART takes them (at most {@code lead} bytes ahead of the
 * wire), so that {@link #cancelPayloads} stops a payload within a few bytes. Inbound, the bytes
 * become lines, which go to the sink the owner gives at {@link #open} (the DeviceActor's
 * {@code ActorSink} with backpressure: a board that talks faster than its actor reads is held
 * back by the stream, not queued in a mailbox). The stream's end is the link's end, and the
 * sink's.
 */
public final class BoardConnection implements AutoCloseable {

  /** Longest line kept; the rest of a longer line is dropped (a board's lines are short). */
  static final int MAX_LINE = 4096;
  private static final int QUEUE = 256;

  /** What goes out: a line ({@code epoch} -1) or a payload of the given epoch; {@code done} when written. */
  /** Bytes to write; {@code paced}: no faster than the board's UART takes them. */
  private record Out(ByteString bytes, long epoch, CompletableFuture<Void> done, long total, long offset,
      boolean paced) {}

  private final AtomicLong payloadEpoch = new AtomicLong();
  private final SharedKillSwitch kill;
  private volatile BoundedSourceQueue<Out> queue;
  private volatile boolean closed;
  private final int chunk;
  /** What else closes with the link (a serial port). */
  private volatile Runnable onClose = () -> { };

  private BoardConnection(String name, int lead) {
    this.kill = KillSwitches.shared(name);
    this.chunk = Math.max(1, Math.min(lead, 64));
  }

  /**
   * Opens the link; completes once it is up (a TCP connection established, a serial port
   * open), or fails with the reason. A serial port is opened on {@code blockingIo}. The board's
   * lines, without their endings, go to {@code lines}, which also sees the link's end.
   */
  public static CompletionStage<BoardConnection> open(ActorSystem<?> system, Endpoint endpoint, int baud, int lead,
      Duration connectTimeout, String name, Executor blockingIo, Sink<String, NotUsed> lines) {
    BoardConnection c = new BoardConnection(name, lead);
    if (endpoint.isTcp()) {
      Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> tcp = Tcp.get(system).outgoingConnection(
          new InetSocketAddress(endpoint.host(), endpoint.port()), Optional.empty(), List.of(), true,
          Optional.of(connectTimeout), Optional.empty());
      return c.run(system, tcp, baud, lines).thenApply(connected -> c);
    }
    return CompletableFuture.supplyAsync(() -> openSerial(endpoint, baud), blockingIo).thenCompose(port -> {
      Flow<ByteString, ByteString, NotUsed> serial = Flow.fromSinkAndSourceCoupled(
          StreamConverters.fromOutputStream(port::getOutputStream, true),
          StreamConverters.fromInputStream(port::getInputStream, 4096));
      c.onClose = port::closePort; // the port closes with the stream
      return c.run(system, serial.mapMaterializedValue(m -> CompletableFuture.completedFuture((Object) port)), baud,
          lines).thenApply(x -> c);
    });
  }

  private static SerialPort openSerial(Endpoint endpoint, int baud) {
    if (!new java.io.File(endpoint.serialPath()).exists() && endpoint.serialPath().startsWith("/")) {
      throw new java.util.concurrent.CompletionException(new IOException(endpoint.serialPath() + ": no such serial device"));
    }
    SerialPort port;
    try {
      port = SerialPort.getCommPort(endpoint.serialPath());
    } catch (RuntimeException e) {
      throw new java.util.concurrent.CompletionException(new IOException(endpoint.serialPath() + ": " + e.getMessage(), e));
    }
    port.setComPortParameters(baud, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
    // semi-blocking: a read returns as soon as a byte is there (blocking would wait for a full buffer)
    port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, 0, 0);
    if (!port.openPort()) {
      throw new java.util.concurrent.CompletionException(
          new IOException(endpoint.serialPath() + ": cannot open (error " + port.getLastErrorCode() + ")"));
    }
    return port;
  }

  /** Materializes queue -> pacing -> link -> lines; completes with the link's own "up" signal. */
  private <M> CompletionStage<M> run(ActorSystem<?> system, Flow<ByteString, ByteString, CompletionStage<M>> link,
      int baud, Sink<String, NotUsed> lines) {
    int bytesPerSecond = Math.max(1, baud / 10);
    // The throttle's timer ticks every 10 ms or so, longer than one piece takes on the UART
    // (64 bytes: 5.6 ms at 115200): a bucket of one piece lost what the wait overran and held a
    // 115200-baud payload to about 0.4 of the line rate. A bucket of 40 ms of bytes catches up.
    int burst = Math.max(chunk, bytesPerSecond / 25);
    Pair<Pair<BoundedSourceQueue<Out>, CompletionStage<M>>, CompletionStage<org.apache.pekko.Done>> m =
        Source.<Out>queue(QUEUE)
            .mapConcat(this::chunks)
            .throttle(bytesPerSecond, Duration.ofSeconds(1), burst, o -> o.paced() ? o.bytes().size() : 0,
                ThrottleMode.shaping())
            .map(this::release)
            .filter(b -> !b.isEmpty())
            .via(kill.flow())
            .viaMat(link, Keep.both())
            .via(kill.flow())
            .via(lines())
            .watchTermination(Keep.both())
            .to(lines)
            .run(system);
    queue = m.first().first();
    m.second().whenComplete((done, failure) -> ended());
    return m.first().second();
  }

  /** A line or payload in pieces of at most {@code chunk} bytes; only the last completes the write. */
  private List<Out> chunks(Out o) {
    List<Out> out = new ArrayList<>();
    int size = o.bytes().size();
    for (int off = 0; off < size; off += chunk) {
      int end = Math.min(size, off + chunk);
      out.add(new Out(o.bytes().slice(off, end), o.epoch(), end == size ? o.done() : null, size, off, o.paced()));
    }
    return out;
  }

  /** A piece leaves for the wire, unless its payload was cancelled meanwhile. */
  private ByteString release(Out o) {
    if (o.epoch() >= 0 && (o.epoch() != payloadEpoch.get() || closed)) {
      if (o.done() != null) {
        o.done().completeExceptionally(new PayloadCancelled(o.offset(), o.total()));
      }
      return ByteString.emptyByteString();
    }
    if (o.done() != null) {
      o.done().complete(null);
    }
    return o.bytes();
  }

  /** Bytes to lines without their endings ({@code \n} or {@code \r}); over-long lines are cut. */
  static Flow<ByteString, String, NotUsed> lines() {
    return Flow.<ByteString>create().statefulMapConcat(() -> {
      java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
      return bytes -> {
        List<String> out = new ArrayList<>(1);
        for (int i = 0; i < bytes.size(); i++) {
          byte b = bytes.apply(i);
          if (b == '\n' || b == '\r') {
            if (line.size() > 0) {
              out.add(line.toString(StandardCharsets.ISO_8859_1));
              line.reset();
            }
          } else if (line.size() < MAX_LINE) {
            line.write(b);
          }
        }
        return out;
      };
    });
  }

  /** The link ended: nothing more is written, and what else it holds (a serial port) closes. */
  private void ended() {
    closed = true;
    payloadEpoch.incrementAndGet();
    onClose.run();
  }

  /** Queues a line (a {@code \n} is added); completes when it goes out. */
  public CompletionStage<Void> writeLine(String line) {
    return offer(ByteString.fromString(line + "\n", StandardCharsets.ISO_8859_1), -1, true);
  }

  /**
   * Queues a LOAD payload, written in pieces no faster than the board's UART takes them (the
   * link's baud and lead, given at open), so that
   * {@link #cancelPayloads} stops it within a piece: after a reboot or a lost link the rest of
   * a payload must never reach a board that would read it as command lines. Completes when the
   * last byte is written; exceptionally with {@link PayloadCancelled} when cancelled first.
   */
  public CompletionStage<Void> writePayload(byte[] bytes) {
    return offer(ByteString.fromArray(bytes), payloadEpoch.get(), true);
  }

  /**
   * Queues LOAD v2 frames: in order with everything else and stopped by {@link #cancelPayloads}
   * like a payload, but not paced here. The board's window bounds what is in flight, so the
   * link's own pace (the UART, or the bridge's buffers) is the only limit, and a pause of this
   * node's timer costs the upload nothing.
   */
  public CompletionStage<Void> writeFrames(byte[] bytes) {
    return offer(ByteString.fromArray(bytes), payloadEpoch.get(), false);
  }

  /** Stops every payload being written or queued, before its next piece. */
  public void cancelPayloads() {
    payloadEpoch.incrementAndGet();
  }

  /** A payload write stopped by {@link #cancelPayloads}: {@code sent} of {@code size} bytes went out. */
  public static final class PayloadCancelled extends RuntimeException {
    public PayloadCancelled(long sent, long size) {
      super("payload stopped after " + sent + " of " + size + " bytes", null, false, false);
    }
  }

  /** Queues raw bytes; completes when they are written. */
  public CompletionStage<Void> write(byte[] bytes) {
    return offer(ByteString.fromArray(bytes), -1, true);
  }

  private CompletionStage<Void> offer(ByteString bytes, long epoch, boolean paced) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (closed || bytes.isEmpty()) {
      if (closed) {
        done.completeExceptionally(new IOException("link closed"));
      } else {
        done.complete(null);
      }
      return done;
    }
    QueueOfferResult r = queue.offer(new Out(bytes, epoch, done, bytes.size(), 0, paced));
    if (!(r instanceof QueueOfferResult.Enqueued$)) {
      done.completeExceptionally(new IOException("link " + (closed ? "closed" : "busy: " + QUEUE + " writes queued")));
    }
    return done;
  }

  @Override
  public void close() {
    ended(); // at once: nothing more is written, even before the stream has seen the abort
    kill.abort(new IOException("link closed by the gateway"));
  }
}
