package io.wasmfleet.protocol.load2;

import io.wasmfleet.protocol.load2.Load2Frame.Data;
import io.wasmfleet.protocol.load2.Load2Frame.Decoded;
import io.wasmfleet.protocol.load2.Load2Frame.Signature;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The board's side of one LOAD v2 upload, as plain logic (the simulator runs it; the firmware
 * core does the same in C). Every intact frame is written where it belongs in the module's
 * buffer and acknowledged with {@code LOAD_ACK module_id=<id> offset=<A> end=<E>}: {@code A} is
 * how much of the module has arrived without a hole, {@code E} where this frame ended. A damaged
 * frame is answered {@code LOAD_NAK module_id=<id> offset=<A>}. Answers go in the frames' order,
 * so the sender knows which frame each one is about.
 */
public final class Load2Receiver {

  private final String moduleId;
  private final byte[] module;
  private final String sha256;
  private final int chunk;
  private final int window;
  private final boolean signatureExpected;
  /** Ranges [start, end) held past the offset, in order, neither touching the offset nor each other. */
  private final List<int[]> held = new ArrayList<>();
  private int offset;
  private int damaged;
  private Signature signature;

  /**
   * An upload of {@code size} bytes named by {@code sha256} (hex), taking frames of at most
   * {@code chunk} bytes and at most {@code window x chunk} bytes past the offset; {@code kept}
   * is what the board kept of an earlier, interrupted upload of the same module (may be empty).
   */
  public Load2Receiver(String moduleId, int size, String sha256, int chunk, int window, boolean signatureExpected,
      byte[] kept) {
    if (kept.length > size) {
      throw new IllegalArgumentException("kept " + kept.length + " bytes of a " + size + "-byte module");
    }
    this.moduleId = moduleId;
    this.module = new byte[size];
    this.sha256 = sha256;
    this.chunk = chunk;
    this.window = window;
    this.signatureExpected = signatureExpected;
    System.arraycopy(kept, 0, module, 0, kept.length);
    this.offset = kept.length;
  }

  /** Every byte before this arrived intact. */
  public int offset() {
    return offset;
  }

  public int chunk() {
    return chunk;
  }

  public int window() {
    return window;
  }

  /** Frames that failed their check (dropped). */
  public int damaged() {
    return damaged;
  }

  /** The upload is whole: every byte, and the signature when one was announced. */
  public boolean complete() {
    return offset == module.length && (!signatureExpected || signature != null);
  }

  /** The frame's answer, a LOAD_ACK or LOAD_NAK line, or null for none. */
  public String onFrame(byte[] line, int len) {
    return onFrame(Load2Frame.decode(line, len, chunk));
  }

  String onFrame(Decoded frame) {
    if (frame instanceof Signature s) {
      signature = signatureExpected ? s : null;
      return null;
    }
    if (!(frame instanceof Data d) || d.offset() + d.data().length > module.length) {
      damaged++; // or past the module's end, which the sender never means
      return "LOAD_NAK module_id=" + moduleId + " offset=" + offset;
    }
    long start = Math.max(d.offset(), offset);
    long end = d.offset() + d.data().length;
    if (end > start) {
      System.arraycopy(d.data(), (int) (start - d.offset()), module, (int) start, (int) (end - start));
      hold((int) start, (int) end);
      while (!held.isEmpty() && held.get(0)[0] == offset) {
        offset = held.remove(0)[1];
      }
    }
    return "LOAD_ACK module_id=" + moduleId + " offset=" + offset + " end=" + end;
  }

  /** Adds [start, end) to the held ranges, merging what touches or overlaps. */
  private void hold(int start, int end) {
    int i = 0;
    while (i < held.size() && held.get(i)[1] < start) {
      i++;
    }
    while (i < held.size() && held.get(i)[0] <= end) {
      int[] r = held.remove(i);
      start = Math.min(start, r[0]);
      end = Math.max(end, r[1]);
    }
    held.add(i, new int[] {start, end});
  }

  /** The module, once complete. */
  public byte[] module() {
    if (offset != module.length) {
      throw new IllegalStateException("the upload is at " + offset + " of " + module.length + " bytes");
    }
    return module.clone();
  }

  /** The signature frame, or null. */
  public Signature signature() {
    return signature;
  }

  /** What to keep for a resume: the bytes that arrived without a hole. */
  public byte[] kept() {
    byte[] kept = new byte[offset];
    System.arraycopy(module, 0, kept, 0, offset);
    return kept;
  }

  /** Null when the whole module has the SHA-256 it was announced with, else the LOAD_ERR line. */
  public String verify() {
    String got = sha256Hex(module());
    return got.equalsIgnoreCase(sha256) ? null
        : "LOAD_ERR code=BAD_SHA256 msg=\"expected=" + sha256.toLowerCase() + " got=" + got + "\"";
  }

  public static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(ModuleSignature.sha256(bytes));
  }
}
