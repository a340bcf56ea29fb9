package io.wasmfleet.gateway.api;

import io.wasmfleet.protocol.Crc32;
import java.io.IOException;
import java.io.InputStream;

/** The bytes a request announces after its line (a module, a C source): read whole, CRC-checked. */
final class Blobs {

  private Blobs() {}

  /** Reads the blob of {@code sizeField} bytes and checks it against {@code crcField}; errors name them. */
  static byte[] receive(ApiRequest r, InputStream in, String sizeField, String crcField, long maxBlob) {
    int size = r.size(sizeField, maxBlob);
    int crc = r.crc(crcField);
    byte[] blob = read(in, size, sizeField);
    int got = Crc32.of(blob);
    if (got != crc) {
      throw new ApiError("CRC mismatch expected=" + Crc32.hex(crc) + " got=" + Crc32.hex(got));
    }
    return blob;
  }

  private static byte[] read(InputStream in, int size, String field) {
    byte[] blob = new byte[size];
    int got = 0;
    try {
      while (got < size) {
        int n = in.read(blob, got, size - got);
        if (n < 0) {
          break;
        }
        got += n;
      }
    } catch (java.net.SocketTimeoutException e) {
      throw new ApiError("expected " + size + " bytes after the request line (" + field + "), got " + got
          + " before the read timeout");
    } catch (IOException e) {
      throw new ApiError("reading the blob failed after " + got + " of " + size + " bytes: " + e.getMessage());
    }
    if (got < size) {
      throw new ApiError("expected " + size + " bytes after the request line (" + field + "), got " + got);
    }
    return blob;
  }
}
