package io.wasmfleet.protocol.load2;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;

/**
 * LOAD v2's frames (docs/wire-protocol.md, "LOAD v2"): {@code 0xA5 | type | escaped body | 0x0A},
 * the body ending in a CRC-32 of the type and the unescaped body. 0x0A, 0x0D and 0x1B in the
 * body go as 0x1B and the byte XOR 0x20, so a frame is one line that begins no command.
 */
public final class Load2Frame {

  public static final int MARK = 0xA5;
  public static final int ESC = 0x1B;
  public static final byte DATA = 'D';
  public static final byte SIGNATURE = 'S';
  public static final int ED25519 = 1;
  public static final int P256 = 2;
  public static final int SIGNATURE_BYTES = 64;
  /** Frame bytes besides the data: mark, type, offset, CRC and the line end. */
  public static final int OVERHEAD = 11;

  /** What a received frame says. */
  public sealed interface Decoded {}

  public record Data(long offset, byte[] data) implements Decoded {}

  public record Signature(int alg, byte[] signature) implements Decoded {}

  /** A frame that failed its check: {@code reason} is CRC, ESCAPE or LENGTH (as in LOAD_NAK). */
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
    byte[] sum = new byte[4];
    putU32(sum, 0, crc.getValue());
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + OVERHEAD + body.length / 64);
    out.write(MARK);
    out.write(type);
    escape(body, out);
    escape(sum, out);
    out.write('\n');
    return out.toByteArray();
  }

  private static void escape(byte[] bytes, ByteArrayOutputStream out) {
    for (byte b : bytes) {
      if (b == '\n' || b == '\r' || b == ESC) {
        out.write(ESC);
        out.write(b ^ 0x20);
      } else {
        out.write(b);
      }
    }
  }

  /**
   * Decodes one frame: {@code line[0..len)} from its 0xA5 up to, not including, its line end.
   * {@code maxData} is the largest data a frame may carry (the board's chunk).
   */
  public static Decoded decode(byte[] line, int len, int maxData) {
    if (len < 2 || (line[0] & 0xFF) != MARK) {
      return new Bad("LENGTH");
    }
    byte type = line[1];
    byte[] body = new byte[len - 2];
    int n = 0;
    for (int i = 2; i < len; i++) {
      int b = line[i] & 0xFF;
      if (b == ESC) {
        if (++i == len) {
          return new Bad("ESCAPE");
        }
        b = (line[i] & 0xFF) ^ 0x20;
        if (b != '\n' && b != '\r' && b != ESC) {
          return new Bad("ESCAPE");
        }
      }
      body[n++] = (byte) b;
    }
    if (n < 4) {
      return new Bad("LENGTH");
    }
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
