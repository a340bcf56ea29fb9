package io.wasmfleet.protocol.load2;

import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * LOAD v2's frames (docs/wire-protocol.md, "LOAD v2"): {@code 0xA5 | COBS(type | body | crc32) XOR
 * 0x0A | 0x0A}. Consistent Overhead Byte Stuffing takes every zero out of the frame's bytes and the
 * XOR turns zero into 0x0A, so a frame is one line (0x0A is its last byte and nowhere else) that
 * begins with 0xA5, which begins no command. It costs one byte in 254 at most (none where the
 * bytes hold a zero at least every 254), against one in 85 for escaping three line-end values.
 */
public final class Load2Frame {

  public static final int MARK = 0xA5;
  /** The one value a frame holds only at its end; COBS's zero, XORed to it. */
  private static final int LF = '\n';
  public static final byte DATA = 'D';
  public static final byte SIGNATURE = 'S';
  public static final int ED25519 = 1;
  public static final int P256 = 2;
  public static final int SIGNATURE_BYTES = 64;
  /** Frame bytes besides the data: mark, COBS's first code, type, offset, CRC and the line end;
   * one more for each run of 254 bytes without a zero. */
  public static final int OVERHEAD = 12;

  /** What a received frame says. */
  public sealed interface Decoded {}

  public record Data(long offset, byte[] data) implements Decoded {}

  public record Signature(int alg, byte[] signature) implements Decoded {}

  /** A frame that failed its check: {@code reason} is CRC, ENCODING or LENGTH. */
  public record Bad(String reason) implements Decoded {}

  private Load2Frame() {}

  /** The data frame for {@code len} bytes of {@code module} from {@code offset}. */
  public static byte[] data(byte[] module, int offset, int len) {
    byte[] body = new byte[4 + len];
    putU32(body, 0, offset);
    System.arraycopy(module, offset, body, 4, len);
    return frame(DATA, body);
  }

  public static byte[] signature(int alg, byte[] signature) {
    if (signature.length != SIGNATURE_BYTES || alg != ED25519 && alg != P256) {
      throw new IllegalArgumentException("a signature frame carries alg 1 or 2 and 64 bytes");
    }
    byte[] body = new byte[1 + SIGNATURE_BYTES];
    body[0] = (byte) alg;
    System.arraycopy(signature, 0, body, 1, SIGNATURE_BYTES);
    return frame(SIGNATURE, body);
  }

  private static byte[] frame(byte type, byte[] body) {
    CRC32 crc = new CRC32();
    crc.update(type);
    crc.update(body);
    byte[] plain = new byte[1 + body.length + 4];
    plain[0] = type;
    System.arraycopy(body, 0, plain, 1, body.length);
    putU32(plain, 1 + body.length, crc.getValue());
    byte[] out = new byte[1 + plain.length + plain.length / 254 + 2];
    out[0] = (byte) MARK;
    int end = stuff(plain, out, 1);
    out[end++] = LF;
    return Arrays.copyOf(out, end);
  }

  /** COBS: blocks of a code byte (1..255) and code - 1 non-zero bytes; a code under 255 stands
   * for a zero after its block (but the last). Every byte written is XORed with 0x0A. */
  private static int stuff(byte[] in, byte[] out, int at) {
    int codeAt = at++;
    int code = 1;
    for (byte b : in) {
      if (b != 0) {
        out[at++] = (byte) (b ^ LF);
        code++;
      }
      if (b == 0 || code == 0xFF) {
        out[codeAt] = (byte) (code ^ LF);
        codeAt = at++;
        code = 1;
      }
    }
    out[codeAt] = (byte) (code ^ LF);
    return at;
  }

  /**
   * Decodes one frame: {@code line[0..len)} from its 0xA5 up to, not including, its line end.
   * {@code maxData} is the largest data a frame may carry (the board's chunk).
   */
  public static Decoded decode(byte[] line, int len, int maxData) {
    if (len < 2 || (line[0] & 0xFF) != MARK) {
      return new Bad("LENGTH");
    }
    byte[] plain = new byte[len];
    int n = 0;
    int left = 0;
    int code = 0xFF; // no zero before the first block
    for (int i = 1; i < len; i++) {
      int b = (line[i] ^ LF) & 0xFF;
      if (b == 0) {
        return new Bad("ENCODING"); // a line end inside the line: not one of our frames
      }
      if (left > 0) {
        plain[n++] = (byte) b;
        left--;
        continue;
      }
      if (code != 0xFF) {
        plain[n++] = 0;
      }
      code = b;
      left = b - 1;
    }
    if (left > 0) {
      return new Bad("ENCODING"); // its last block is cut short
    }
    if (n < 1 + 4) {
      return new Bad("LENGTH");
    }
    byte type = plain[0];
    byte[] body = Arrays.copyOfRange(plain, 1, n);
    n = body.length;
    CRC32 crc = new CRC32();
    crc.update(type);
    crc.update(body, 0, n - 4);
    if (crc.getValue() != u32(body, n - 4)) {
      return new Bad("CRC");
    }
    int size = n - 4;
    if (type == DATA && size > 4 && size - 4 <= maxData) {
      byte[] data = new byte[size - 4];
      System.arraycopy(body, 4, data, 0, data.length);
      return new Data(u32(body, 0), data);
    }
    if (type == SIGNATURE && size == 1 + SIGNATURE_BYTES && (body[0] == ED25519 || body[0] == P256)) {
      byte[] sig = new byte[SIGNATURE_BYTES];
      System.arraycopy(body, 1, sig, 0, SIGNATURE_BYTES);
      return new Signature(body[0], sig);
    }
    return new Bad("LENGTH");
  }

  private static void putU32(byte[] b, int at, long v) {
    for (int i = 0; i < 4; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
  }

  private static long u32(byte[] b, int at) {
    long v = 0;
    for (int i = 3; i >= 0; i--) {
      v = v << 8 | (b[at + i] & 0xFF);
    }
    return v;
  }
}
