package io.wasmfleet.gateway.device;

import io.wasmfleet.gateway.device.DeviceActor.Command;
import io.wasmfleet.gateway.device.DeviceActor.Load2Silence;
import io.wasmfleet.gateway.device.DeviceActor.OpTimeout;
import io.wasmfleet.gateway.device.DeviceActor.PayloadWritten;
import io.wasmfleet.gateway.device.Exchange.LoadOp;
import io.wasmfleet.gateway.device.Exchange.Op;
import io.wasmfleet.gateway.transport.BoardConnection;
import io.wasmfleet.gateway.web.GatewayMetrics;
import io.wasmfleet.protocol.DeviceLine;
import java.time.Duration;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The payload of the LOAD in flight, once the board said LOAD_READY: v1's bytes in one write,
 * or LOAD v2's frames a window at a time ({@link Load2Upload}), sent again after a silence, each
 * upload starting at the frame size the last one ended with. It writes through the board's link,
 * keeps the op's timer (the payload's time, then LOAD_OK's) and the silence timer, and counts
 * what it sent.
 *
 * <p>A part of the {@link DeviceActor}: it uses the actor's context and timers, and is called on
 * the actor's thread only.
 */
final class Uploader {

  private static final String SILENCE_TIMER = "load2-silence";

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final BoardConfig board;
  private final DeviceTimeouts timeouts;
  private final ModuleSigner signer;
  private final GatewayMetrics metrics;
  /** The LOAD v2 upload in flight, or null. */
  private Load2Upload upload2;
  /** The frame size the last LOAD v2 upload ended with: the next one starts there (0: none yet). */
  private int load2FrameSize;
  /** When the payload in flight began (LOAD_READY), for its throughput. */
  private long started;

  Uploader(ActorContext<Command> context, TimerScheduler<Command> timers, BoardConfig board, DeviceTimeouts timeouts,
      ModuleSigner signer, GatewayMetrics metrics) {
    this.context = context;
    this.timers = timers;
    this.board = board;
    this.timeouts = timeouts;
    this.signer = signer;
    this.metrics = metrics;
  }

  /** Sends {@code load}'s payload as the board's LOAD_READY {@code ready} asks: v2 frames when it offers a window. */
  void begin(BoardConnection link, LoadOp load, DeviceLine ready) {
    started = System.nanoTime();
    byte[] payload = load.request().payload();
    upload2 = ready instanceof DeviceLine.LoadReady r ? Load2Upload.from(load.id(), r, payload, signer, load2FrameSize) : null;
    if (upload2 != null) {
      sendFrames(link, load);
      return;
    }
    context.pipeToSelf(link.writePayload(payload), (ok, failure) -> new PayloadWritten(load.id(), failure));
    metrics.uploadWritten(board.id(), payload.length);
    Duration wait = timeouts.payloadTime(load.command().size(), board.baud()).plus(timeouts.loadOk());
    timers.startSingleTimer(DeviceActor.OP_TIMER, new OpTimeout(load.id(), "LOAD_OK", wait), wait);
  }

  /** A LOAD_ACK or LOAD_NAK of the upload in flight for {@code op}: true when {@code line} was one, and was taken. */
  boolean onAnswer(BoardConnection link, String line, Op op) {
    if (upload2 == null || !Load2Upload.isAnswer(line) || !(op instanceof LoadOp load) || load.id() != upload2.opId) {
      return false;
    }
    if (line.startsWith("LOAD_NAK ")) {
      metrics.crcFailure(board.id(), "frame");
      metrics.retry(board.id(), "frame");
    }
    upload2.onAnswer(line);
    sendFrames(link, load);
    return true;
  }

  /** No LOAD_ACK for {@link Load2Upload#SILENCE}: what is in flight goes again. */
  void onSilence(BoardConnection link, Load2Silence m, Op op) {
    if (upload2 != null && upload2.opId == m.opId() && op instanceof LoadOp load && load.id() == m.opId()) {
      upload2.onSilence();
      metrics.retry(board.id(), "silence");
      writeFrames(link, load);
      timers.startSingleTimer(SILENCE_TIMER, new Load2Silence(load.id()), Load2Upload.SILENCE);
    }
  }

  /** {@code op} got its final reply: the next upload starts at this one's frame size; a load or a bad CRC is counted. */
  void ended(Op op, DeviceLine reply) {
    if (upload2 != null) {
      load2FrameSize = upload2.frameSize();
    }
    upload2 = null;
    timers.cancel(SILENCE_TIMER);
    if (op instanceof LoadOp load && load.payloadSent()) {
      if (reply instanceof DeviceLine.LoadOk) {
        metrics.loaded(board.id(), load.request().payload().length, Duration.ofNanos(System.nanoTime() - started));
      } else if (reply instanceof DeviceLine.LoadErr err && "BAD_CRC".equals(err.code())) {
        metrics.crcFailure(board.id(), "payload");
      }
    }
  }

  /** The upload ends without its reply (link lost, a reboot, a timeout): nothing more is sent. */
  void abandon() {
    upload2 = null;
    timers.cancel(SILENCE_TIMER);
  }

  /**
   * Writes the frames the LOAD v2 window allows, and restarts the timers: silence (send again
   * what is in flight) and the op's (the board's own inactivity timeout, then LOAD_OK's).
   */
  private void sendFrames(BoardConnection link, LoadOp load) {
    writeFrames(link, load);
    if (upload2.allAcknowledged()) {
      timers.cancel(SILENCE_TIMER);
    } else {
      timers.startSingleTimer(SILENCE_TIMER, new Load2Silence(load.id()), Load2Upload.SILENCE);
    }
    Duration wait = upload2.allAcknowledged() ? timeouts.loadOk() : timeouts.boardPayloadTimeout();
    String waitingFor = upload2.allAcknowledged() ? "LOAD_OK" : "LOAD_ACK";
    timers.startSingleTimer(DeviceActor.OP_TIMER, new OpTimeout(load.id(), waitingFor, wait), wait);
  }

  private void writeFrames(BoardConnection link, LoadOp load) {
    byte[] frames = upload2.next();
    if (frames.length > 0) {
      metrics.uploadWritten(board.id(), frames.length);
      context.pipeToSelf(link.writeFrames(frames), (ok, failure) -> new PayloadWritten(load.id(), failure));
    }
  }
}
