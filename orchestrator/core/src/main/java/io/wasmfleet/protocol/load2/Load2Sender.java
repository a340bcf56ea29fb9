package io.wasmfleet.protocol.load2;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The gateway's side of one LOAD v2 upload, as plain logic: which frames to send now. New data
 * goes while at most window x chunk bytes are in flight (sent, not yet answered). The link keeps
 * order and the board answers frames in order: a {@code LOAD_NAK} is about the oldest frame in
 * flight, which goes again; when a frame is acknowledged, every frame sent before it and still
 * unanswered was lost whole (its mark damaged): those go again too. Silence (no answer for a
 * while) sends again everything in flight, and the signature. Frames shrink to half after each
 * loss (down to 64 bytes) and grow back to the chunk after 32 acknowledgements without one, so a
 * noisy line loses small frames.
 */
public final class Load2Sender {

  private final byte[] module;
  private final int chunk;
  private final int window;
  private final byte[] signatureFrame;
  private final Deque<int[]> repairs = new ArrayDeque<>();
  /** Frames sent and not yet acknowledged, [start, end), oldest first. */
  private final Deque<int[]> inFlight = new ArrayDeque<>();
  private int acked;
  private int next;
  private int frameSize;
  private int cleanAcks;
  private boolean signatureSent;
  private long bytesSent;

  /**
   * From {@code offset} (what the board's LOAD_READY said it holds); {@code signatureFrame} is
   * the encoded signature frame, or null for an unsigned module.
   */
  public Load2Sender(byte[] module, int chunk, int window, int offset, byte[] signatureFrame) {
    if (chunk < 1 || window < 1 || offset < 0 || offset > module.length) {
      throw new IllegalArgumentException("chunk " + chunk + ", window " + window + ", offset " + offset);
    }
    this.module = module;
    this.chunk = chunk;
    this.window = window;
    this.signatureFrame = signatureFrame;
    this.acked = offset;
    this.next = offset;
    this.frameSize = chunk;
  }

  /**
   * Starts with frames of {@code size} data bytes (within 64 and the chunk) instead of the chunk:
   * what the last upload over the same link ended with, so a noisy link does not cost every
   * upload its first, too large frames again. Returns this sender.
   */
  public Load2Sender startingWith(int size) {
    frameSize = Math.max(Math.min(64, chunk), Math.min(chunk, size));
    return this;
  }

  /** The frames to send now, in order: repairs first, then new data, then the signature. */
  public List<byte[]> next() {
    List<byte[]> frames = new ArrayList<>();
    while (!repairs.isEmpty()) {
      int[] r = repairs.poll();
      for (int at = Math.max(r[0], acked); at < r[1]; at += frameSize) {
        frames.add(send(at, Math.min(frameSize, r[1] - at)));
      }
    }
    while (next < module.length && flying() < window * chunk) {
      int len = Math.min(Math.min(frameSize, module.length - next), window * chunk - flying());
      frames.add(send(next, len));
      next += len;
    }
    if (next == module.length && signatureFrame != null && !signatureSent) {
      frames.add(signatureFrame);
      signatureSent = true;
    }
    frames.forEach(f -> bytesSent += f.length);
    return frames;
  }

  private byte[] send(int at, int len) {
    inFlight.add(new int[] {at, at + len});
    return Load2Frame.data(module, at, len);
  }

  private int flying() {
    return inFlight.stream().mapToInt(f -> f[1] - f[0]).sum();
  }

  /**
   * The board holds everything before {@code offset}, and the frame that ended at {@code end}
   * arrived: the frames sent before it that are still unacknowledged were lost.
   */
  public void onAck(long offset, long end) {
    acked = (int) Math.max(acked, Math.min(offset, module.length));
    boolean lost = false;
    for (int[] f = inFlight.peek(); f != null; f = inFlight.peek()) {
      inFlight.poll();
      if (f[1] == end) {
        break;
      }
      if (f[1] > acked) {
        repairs.add(new int[] {Math.max(f[0], acked), f[1]});
        lost = true;
      }
    }
    if (lost) {
      frameSize = Math.max(Math.min(64, chunk), frameSize / 2);
      cleanAcks = 0;
    } else if (++cleanAcks >= 32 && frameSize < chunk) {
      frameSize = Math.min(chunk, frameSize * 2);
      cleanAcks = 0;
    }
  }

  /** The board dropped a damaged frame: the oldest one in flight; it holds everything before {@code offset}. */
  public void onNak(long offset) {
    acked = (int) Math.max(acked, Math.min(offset, module.length));
    int[] f = inFlight.poll();
    if (f != null && f[1] > acked) {
      repairs.add(new int[] {Math.max(f[0], acked), f[1]});
    }
    frameSize = Math.max(Math.min(64, chunk), frameSize / 2);
    cleanAcks = 0;
  }

  /** No answer for a while: send again everything in flight, and the signature. */
  public void onSilence() {
    for (int[] f : inFlight) {
      if (f[1] > acked) {
        repairs.add(new int[] {Math.max(f[0], acked), f[1]});
      }
    }
    inFlight.clear();
    signatureSent = false;
  }

  /** Every byte acknowledged (the board's LOAD_OK or LOAD_ERR follows). */
  public boolean allAcknowledged() {
    return acked == module.length;
  }

  /** The data bytes the next frame carries at most (the chunk, less after NAKs). */
  public int frameSize() {
    return frameSize;
  }

  /** Frame bytes sent so far, repeats included. */
  public long bytesSent() {
    return bytesSent;
  }
}
