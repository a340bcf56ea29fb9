package io.wasmfleet.gateway.device;

import io.wasmfleet.protocol.DeviceLine;
import io.wasmfleet.protocol.WireLine;
import io.wasmfleet.protocol.WireParams;
import io.wasmfleet.protocol.load2.Load2Sender;
import java.io.ByteArrayOutputStream;
import java.time.Duration;

/**
 * A LOAD v2 upload in flight on the gateway's side (docs/wire-protocol.md, "LOAD v2"): the
 * sender's logic, started by a LOAD_READY that carries {@code chunk= window= offset=} and fed
 * by the board's {@code LOAD_ACK} and {@code LOAD_NAK} lines; silence for {@link #SILENCE} sends again what is in
 * flight. The DeviceActor writes what {@link #next()} returns.
 */
final class Load2Upload {

  /**
   * The frame size the gateway asks for; the board may lower it (the simulator takes 2048, our
   * firmware 512 or 1024), and frames halve after a loss. Larger frames cost less framing.
   */
  static final int CHUNK = 2048;
  /**
   * The most data bytes the gateway keeps in flight, whatever window the board allows: 0.35 s
   * of a 115200-baud line, far more than a round trip, and all a cut link can waste.
   */
  static final int IN_FLIGHT = 4096;
  /** No acknowledgement for this long while frames are in flight: send them again. */
  static final Duration SILENCE = Duration.ofSeconds(1);

  final long opId;
  private final Load2Sender sender;

  private Load2Upload(long opId, Load2Sender sender) {
    this.opId = opId;
    this.sender = sender;
  }

  /** The upload a LOAD_READY asks for, or null when it asks for v1's raw payload. */
  static Load2Upload from(long opId, DeviceLine.LoadReady ready, byte[] payload, ModuleSigner signer,
      int lastFrameSize) {
    WireParams p = ready.extra();
    if (p.get("window").isEmpty() || p.get("chunk").isEmpty() || p.get("offset").isEmpty()) {
      return null;
    }
    int chunk = Integer.parseInt(p.get("chunk").get());
    int window = Integer.parseInt(p.get("window").get());
    int offset = Integer.parseInt(p.get("offset").get());
    int frame = Math.min(chunk, CHUNK);
    Load2Sender sender = new Load2Sender(payload, frame, Math.max(1, Math.min(window, IN_FLIGHT / frame)), offset,
        signer.frame(payload));
    return new Load2Upload(opId, lastFrameSize > 0 ? sender.startingWith(lastFrameSize) : sender);
  }

  /** A LOAD_ACK or LOAD_NAK line. */
  static boolean isAnswer(String line) {
    return line.startsWith("LOAD_ACK ") || line.startsWith("LOAD_NAK ");
  }

  /** The frames to write now, as one piece (empty when the window is full). */
  byte[] next() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    sender.next().forEach(out::writeBytes);
    return out.toByteArray();
  }

  /** A LOAD_ACK or LOAD_NAK line. A malformed one is ignored: silence repairs what it would have. */
  void onAnswer(String line) {
    WireParams p = WireLine.tokenize(line).map(WireLine::params).orElse(WireParams.EMPTY);
    try {
      long offset = Long.parseLong(p.get("offset").orElse("-1"));
      if (line.startsWith("LOAD_NAK ")) {
        sender.onNak(offset);
      } else {
        sender.onAck(offset, Long.parseLong(p.get("end").orElse("-1")));
      }
    } catch (NumberFormatException e) {
      // a malformed answer
    }
  }

  void onSilence() {
    sender.onSilence();
  }

  /** The frame size the upload uses now (after losses, smaller than the chunk). */
  int frameSize() {
    return sender.frameSize();
  }

  boolean allAcknowledged() {
    return sender.allAcknowledged();
  }
}
