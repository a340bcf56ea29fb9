package io.wasmfleet.protocol;

import java.util.Locale;
import java.util.zip.CRC32;

/** zlib CRC-32 as the wire writes it: eight lower-case hex digits. */
public final class Crc32 {

  private Crc32() {}

  public static int of(byte[] data) {
    return of(data, 0, data.length);
  }

  public static int of(byte[] data, int offset, int length) {
    CRC32 crc = new CRC32();
    crc.update(data, offset, length);
    return (int) crc.getValue();
  }

  public static String hex(int crc) {
    return String.format(Locale.ROOT, "%08x", crc);
  }

  /** Parses 1 to 8 hex digits (either case); throws naming {@code field} otherwise. */
  public static int parseHex(String field, String text) {
    if (text == null) {
      throw WireFormatException.missing(field);
    }
    if (text.isEmpty() || text.length() > 8 || !text.chars().allMatch(Crc32::isHexDigit)) {
      throw WireFormatException.invalid(field, text, "expected up to 8 hex digits");
    }
    return (int) Long.parseLong(text, 16);
  }

  private static boolean isHexDigit(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
