package io.wasmfleet.sim;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.wasmfleet.protocol.WireValues;

/**
 * One board to start: its id (what HELLO says), its profile, and its wire: a TCP port or a
 * serial device path. Written on the command line as {@code [ID=]PROFILE:PORT} or
 * {@code [ID=]PROFILE:serial:PATH}.
 */
public record BoardSpec(String id, String profile, int port, String serial, Config overrides, Config faults) {

  public BoardSpec {
    WireValues.requireModuleId("board id", id);
  }

  public static BoardSpec parse(String text) {
    String id = null;
    String rest = text;
    int eq = text.indexOf('=');
    if (eq > 0) {
      id = text.substring(0, eq);
      rest = text.substring(eq + 1);
    }
    String[] parts = rest.split(":", 3);
    if (parts.length < 2) {
      throw new IllegalArgumentException(
          "board '" + text + "': expected [ID=]PROFILE:PORT or [ID=]PROFILE:serial:PATH");
    }
    String profile = parts[0];
    String boardId = id != null ? id : profile;
    if (parts[1].equals("serial")) {
      if (parts.length < 3 || parts[2].isEmpty()) {
        throw new IllegalArgumentException("board '" + text + "': serial needs a device path");
      }
      return new BoardSpec(boardId, profile, -1, parts[2], ConfigFactory.empty(), ConfigFactory.empty());
    }
    try {
      int port = Integer.parseInt(parts[1]);
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new BoardSpec(boardId, profile, port, null, ConfigFactory.empty(), ConfigFactory.empty());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("board '" + text + "': '" + parts[1] + "' is not a TCP port");
    }
  }

  public static BoardSpec fromConfig(Config c) {
    String profile = c.getString("profile");
    return new BoardSpec(
        c.hasPath("id") ? c.getString("id") : profile,
        profile,
        c.hasPath("port") ? c.getInt("port") : -1,
        c.hasPath("serial") ? c.getString("serial") : null,
        c.hasPath("profile-overrides") ? c.getConfig("profile-overrides") : ConfigFactory.empty(),
        c.hasPath("faults") ? c.getConfig("faults") : ConfigFactory.empty());
  }

  public BoardSpec withId(String newId) {
    return new BoardSpec(newId, profile, port, serial, overrides, faults);
  }
}
