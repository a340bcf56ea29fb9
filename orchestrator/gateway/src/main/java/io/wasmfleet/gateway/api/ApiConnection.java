package io.wasmfleet.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;

/**
 * One host API connection: the actor reads the JSON line and the blob the line announces from
 * the connection's stream (with backpressure and an inactivity timeout), hands them to
 * {@link HostApi}, writes the progress events and then exactly one answer line, and closes its
 * half of the connection. It reads on until the client closes (bounded), so the answer is never
 * reset away by unread bytes.
 *
 * <p>A request with {@code "keep": true} keeps the connection open: after its answer the next
 * request is read from the same connection. Bytes that arrive while a request is served wait in
 * the stream (backpressure), so requests sent back to back are served one after the other. A
 * kept connection that stays idle for the read timeout is closed without an answer.
 */
final class ApiConnection extends AbstractBehavior<ApiConnection.Command> {

  sealed interface Command {}

  private record InputStarted(ActorRef<Ack> ack) implements Command {}

  private record Received(ByteString bytes, ActorRef<Ack> ack) implements Command {}

  private enum InputDone implements Command { INSTANCE }

  private record InputFailed(Throwable cause) implements Command {}

  private enum Written implements Command { INSTANCE }

  private record OutputEnded(Throwable failure) implements Command {}

  private record Event(ObjectNode event) implements Command {}

  private record Answered(ObjectNode answer) implements Command {}

  private enum ReadTimeout implements Command { INSTANCE }

  private enum DrainTimeout implements Command { INSTANCE }

  enum Ack { INSTANCE }

  /** What goes to the client: a line, or the end of the answer. */
  private sealed interface Out {}

  private record Line(ByteString bytes) implements Out {}

  private enum End implements Out { INSTANCE }

  private enum Phase { LINE, BLOB, HANDLING, ANSWERED }

  static Behavior<Command> create(Tcp.IncomingConnection connection, HostApi api, ApiSettings settings,
      ObjectMapper json) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new ApiConnection(context, timers, connection, api, settings, json)));
  }

  private final TimerScheduler<Command> timers;
  private final HostApi api;
  private final ApiSettings settings;
  private final ObjectMapper json;
  private final UniqueKillSwitch input;
  private final ActorRef<Out> output;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final ArrayDeque<Out> pending = new ArrayDeque<>();
  private Phase phase = Phase.LINE;
  private JsonNode request;
  private ApiError unreadable;
  private byte[] blob;
  private int blobGot;
  private long drained;
  private boolean writing;
  /** The request being served asked to keep the connection for the next one. */
  private boolean keep;
  /** Requests answered on this connection. */
  private int served;
  /** Bytes after a kept request's blob: the start of the next request. */
  private ByteString carry = ByteString.emptyByteString();
  /** Bytes that arrived while a kept request was served, not yet acknowledged (backpressure). */
  private Received held;
  private boolean inputDone;
  private boolean outputDone;
  private volatile boolean clientOpen = true;

  private ApiConnection(ActorContext<Command> context, TimerScheduler<Command> timers,
      Tcp.IncomingConnection connection, HostApi api, ApiSettings settings, ObjectMapper json) {
    super(context);
    this.timers = timers;
    this.api = api;
    this.settings = settings;
    this.json = json;
    ActorRef<Command> self = context.getSelf();
    Sink<ByteString, UniqueKillSwitch> in = Flow.<ByteString>create()
        .viaMat(KillSwitches.single(), Keep.right())
        .to(ActorSink.<ByteString, Command, Ack>actorRefWithBackpressure(self, (ack, bytes) -> new Received(bytes, ack),
            InputStarted::new, Ack.INSTANCE, InputDone.INSTANCE, InputFailed::new));
    Source<ByteString, ActorRef<Out>> out = ActorSource.<Out, Command>actorRefWithBackpressure(self, Written.INSTANCE,
            o -> o == End.INSTANCE ? Optional.of(CompletionStrategy.draining()) : Optional.empty(),
            o -> Optional.empty())
        .watchTermination((ref, done) -> {
          done.whenComplete((d, failure) -> self.tell(new OutputEnded(failure)));
          return ref;
        })
        .map(o -> ((Line) o).bytes());
    Pair<UniqueKillSwitch, ActorRef<Out>> mat = connection.handleWith(Flow.fromSinkAndSourceMat(in, out, Keep.both()),
        context.getSystem());
    this.input = mat.first();
    this.output = mat.second();
    timers.startSingleTimer(ReadTimeout.INSTANCE, settings.readTimeout());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(InputStarted.class, m -> {
          m.ack().tell(Ack.INSTANCE);
          return this;
        })
        .onMessage(Received.class, this::onReceived)
        .onMessage(InputDone.class, m -> onInputEnd())
        .onMessage(InputFailed.class, m -> {
          clientOpen = false;
          return onInputEnd();
        })
        .onMessage(ReadTimeout.class, m -> onReadTimeout())
        .onMessage(Event.class, m -> {
          if (phase == Phase.HANDLING) {
            send(m.event());
          }
          return this;
        })
        .onMessage(Answered.class, m -> {
          send(m.answer());
          served++;
          if (keep && !outputDone && (!inputDone || !carry.isEmpty())) {
            return nextRequest();
          }
          if (held != null) { // the client is gone: what it sent after a kept request is dropped
            drain(held.bytes().length());
            held.ack().tell(Ack.INSTANCE);
            held = null;
          }
          enqueue(End.INSTANCE);
          phase = Phase.ANSWERED;
          timers.startSingleTimer(DrainTimeout.INSTANCE, settings.readTimeout());
          return stopWhenDone();
        })
        .onMessage(Written.class, m -> {
          writing = false;
          flush();
          return this;
        })
        .onMessage(OutputEnded.class, m -> {
          outputDone = true;
          pending.clear();
          clientOpen = clientOpen && m.failure() == null;
          return stopWhenDone();
        })
        .onMessage(DrainTimeout.class, m -> {
          input.shutdown(); // the client keeps its side open: close it
          inputDone = true;
          return stopWhenDone();
        })
        .build();
  }

  private Behavior<Command> onReceived(Received m) {
    if (keep && phase == Phase.HANDLING) {
      held = m; // the next request: read once this one is answered
      return this;
    }
    accept(m.bytes());
    m.ack().tell(Ack.INSTANCE);
    return this;
  }

  /** A kept connection: everything is reset for the next request, and what came already is read. */
  private Behavior<Command> nextRequest() {
    phase = Phase.LINE;
    keep = false;
    request = null;
    unreadable = null;
    blob = null;
    blobGot = 0;
    line.reset();
    timers.startSingleTimer(ReadTimeout.INSTANCE, settings.readTimeout());
    ByteString early = carry;
    carry = ByteString.emptyByteString();
    if (!early.isEmpty()) {
      accept(early);
    }
    if (held != null && !(keep && phase == Phase.HANDLING)) {
      Received m = held;
      held = null;
      accept(m.bytes());
      m.ack().tell(Ack.INSTANCE);
    }
    if (inputDone && (phase == Phase.LINE || phase == Phase.BLOB)) {
      return onInputEnd(); // the client closed its side after its last request
    }
    return this;
  }

  private void accept(ByteString bytes) {
    switch (phase) {
      case LINE -> {
        timers.startSingleTimer(ReadTimeout.INSTANCE, settings.readTimeout());
        int nl = bytes.indexOf((byte) '\n');
        int take = nl < 0 ? bytes.length() : nl;
        if (line.size() + take > settings.maxRequestLine()) {
          answerAtOnce(Answers.error("the request line is longer than " + settings.maxRequestLine() + " bytes"));
          return;
        }
        line.writeBytes(bytes.slice(0, take).toArray());
        if (nl >= 0) {
          read(line.toString(StandardCharsets.UTF_8).strip());
          phase = Phase.BLOB;
          acceptBlob(bytes.drop(nl + 1));
        }
      }
      case BLOB -> {
        timers.startSingleTimer(ReadTimeout.INSTANCE, settings.readTimeout());
        acceptBlob(bytes);
      }
      default -> drain(bytes.length());
    }
  }

  private void acceptBlob(ByteString bytes) {
    int take = Math.min(bytes.length(), blob.length - blobGot);
    bytes.slice(0, take).copyToArray(blob, blobGot, take);
    blobGot += take;
    if (blobGot < blob.length) {
      return;
    }
    if (keep) {
      carry = carry.concat(bytes.drop(take));
    } else {
      drain(bytes.length() - take);
    }
    dispatch(false);
  }

  /** Bytes after the request and its blob are read and dropped, up to what a request may carry. */
  private void drain(long n) {
    drained += n;
    if (drained > settings.maxBlob() + settings.maxRequestLine()) {
      input.shutdown();
      inputDone = true;
    }
  }

  private Behavior<Command> onInputEnd() {
    inputDone = true;
    switch (phase) {
      case LINE -> {
        String text = line.toString(StandardCharsets.UTF_8).strip();
        if (text.isEmpty() && served > 0) {
          return endBetweenRequests(); // the client closed its side after its last request
        }
        if (text.isEmpty()) {
          return answerAtOnce(Answers.error("empty request: expected one JSON object on one line"));
        }
        read(text);
        dispatch(false);
      }
      case BLOB -> dispatch(false);
      default -> {
        // the request is being served or answered
      }
    }
    return stopWhenDone();
  }

  private Behavior<Command> onReadTimeout() {
    switch (phase) {
      case LINE -> {
        if (served > 0 && line.size() == 0) {
          return endBetweenRequests(); // left idle after its last request
        }
        return answerAtOnce(Answers.error("no complete request line within " + settings.readTimeout().toSeconds() + " s"));
      }
      case BLOB -> dispatch(true);
      default -> {
        // served already
      }
    }
    return this;
  }

  /** A kept connection ends between requests: no answer is owed, nothing more is read. */
  private Behavior<Command> endBetweenRequests() {
    timers.cancel(ReadTimeout.INSTANCE);
    phase = Phase.ANSWERED;
    enqueue(End.INSTANCE);
    if (!inputDone) {
      input.shutdown();
      inputDone = true;
    }
    return stopWhenDone();
  }

  /** The request line, parsed once: the blob it announces, or what is wrong with it. */
  private void read(String text) {
    try {
      request = ApiRequest.parse(json, text);
      JsonNode keepField = request.get("keep");
      if (keepField != null && !keepField.isBoolean()) {
        throw new ApiError("\"keep\" must be true or false, not " + keepField);
      }
      blob = new byte[ApiRequest.announcedBlob(request, settings.maxBlob())];
      keep = keepField != null && keepField.booleanValue(); // only a readable request keeps the connection
    } catch (ApiError e) {
      unreadable = e;
      blob = new byte[0];
    }
  }

  /** Hands the request to the API; a blob cut short reads as such (and as timed out, when it was). */
  private void dispatch(boolean timedOut) {
    if (unreadable != null) {
      answerAtOnce(Answers.error(unreadable.getMessage()));
      return;
    }
    timers.cancel(ReadTimeout.INSTANCE);
    phase = Phase.HANDLING;
    InputStream in = new BlobStream(blob, blobGot, timedOut);
    ActorRef<Command> self = getContext().getSelf();
    HostApi.Events events = new HostApi.Events() {
      @Override
      public void accept(ObjectNode event) {
        self.tell(new Event(event));
      }

      @Override
      public boolean open() {
        return clientOpen;
      }
    };
    getContext().pipeToSelf(api.handle(request, in, events), (answer, failure) -> new Answered(
        failure == null ? answer : Answers.error("internal error: " + failure)));
  }

  private Behavior<Command> answerAtOnce(ObjectNode answer) {
    timers.cancel(ReadTimeout.INSTANCE);
    phase = Phase.HANDLING;
    getContext().getSelf().tell(new Answered(answer));
    return this;
  }

  private void send(ObjectNode line) {
    try {
      // UTF-8 bytes straight from Jackson: no String (a fleet operation's answer holds every board)
      enqueue(new Line(ByteString.fromArrayUnsafe(json.writeValueAsBytes(line)).concat(NEWLINE)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void enqueue(Out o) {
    if (outputDone) {
      return; // the client is gone: nothing more is written (a campaign it started goes on)
    }
    pending.add(o);
    flush();
  }

  /**
   * One write at a time: the next goes when the connection took the last one. The lines that
   * queued up meanwhile (a fleet operation's events) go together, up to {@link #WRITE_BATCH} bytes.
   */
  private void flush() {
    if (writing || pending.isEmpty()) {
      return;
    }
    Out next = pending.poll();
    if (next instanceof Line first && pending.peek() instanceof Line) {
      ByteString batch = first.bytes();
      while (pending.peek() instanceof Line more && batch.size() + more.bytes().size() <= WRITE_BATCH) {
        batch = batch.concat(more.bytes());
        pending.poll();
      }
      next = new Line(batch);
    }
    output.tell(next);
    writing = next != End.INSTANCE;
  }

  private static final int WRITE_BATCH = 64 * 1024;
  private static final ByteString NEWLINE = ByteString.fromString("\n");

  private Behavior<Command> stopWhenDone() {
    return phase == Phase.ANSWERED && inputDone && outputDone ? Behaviors.stopped() : this;
  }

  /** The blob as the API reads it: what arrived, then the end (a timeout when the client went quiet). */
  private static final class BlobStream extends InputStream {
    private final byte[] blob;
    private final int got;
    private final boolean timedOut;
    private int pos;

    BlobStream(byte[] blob, int got, boolean timedOut) {
      this.blob = blob;
      this.got = got;
      this.timedOut = timedOut;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos >= got) {
        if (timedOut) {
          throw new java.net.SocketTimeoutException("read timeout");
        }
        return -1;
      }
      int n = Math.min(len, got - pos);
      System.arraycopy(blob, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
