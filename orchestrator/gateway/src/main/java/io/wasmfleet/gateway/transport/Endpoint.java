package io.wasmfleet.gateway.transport;

import io.wasmfleet.gateway.CborSerializable;

/**
 * Where a board is: {@code tcp:host:port} (an emulator, ser2net, a simulated board) or a
 * serial device ({@code /dev/ttyACM0}, {@code COM4}, or {@code serial:/dev/ttyACM0}).
 */
public record Endpoint(String host, int port, String serialPath) implements CborSerializable {

  public static Endpoint parse(String text) {
    if (text.startsWith("tcp:")) {
      String rest = text.substring(4);
      int colon = rest.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("endpoint '" + text + "': expected tcp:HOST:PORT");
      }
      try {
        int port = Integer.parseInt(rest.substring(colon + 1));
        if (port <= 0 || port > 65535) {
          throw new NumberFormatException();
        }
        return new Endpoint(rest.substring(0, colon), port, null);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("endpoint '" + text + "': '" + rest.substring(colon + 1) + "' is not a TCP port");
      }
    }
    String path = text.startsWith("serial:") ? text.substring(7) : text;
    if (path.isBlank()) {
      throw new IllegalArgumentException("endpoint '" + text + "': expected tcp:HOST:PORT or a serial device path");
    }
    return new Endpoint(null, 0, path);
  }

  public boolean isTcp() {
    return serialPath == null;
  }

  @Override
  public String toString() {
    return isTcp() ? "tcp:" + host + ":" + port : serialPath;
  }
}
