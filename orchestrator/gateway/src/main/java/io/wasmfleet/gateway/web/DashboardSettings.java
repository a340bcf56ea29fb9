package io.wasmfleet.gateway.web;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * {@code wasmfleet.gateway.dashboard}: where the page is served, the token that guards it off
 * loopback, and how often the fleet is looked at while someone watches.
 */
public record DashboardSettings(boolean enabled, String host, int port, String token, Duration refresh,
    int consoleLines, int consoleBoards) {

  public static DashboardSettings fromConfig(Config gateway) {
    Config d = gateway.getConfig("dashboard");
    return new DashboardSettings(d.getBoolean("enabled"), d.getString("host"), d.getInt("port"),
        d.getString("token"), d.getDuration("refresh"), d.getInt("console-lines"), d.getInt("console-boards"));
  }

  /** True when the page is bound to a loopback address only. */
  public boolean loopback() {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Refuses a page reachable from other machines without a token. */
  public DashboardSettings checked() {
    if (enabled && !loopback() && token.isBlank()) {
      throw new IllegalArgumentException("wasmfleet.gateway.dashboard.host is " + host + ", not a loopback address:"
          + " set wasmfleet.gateway.dashboard.token (or WASMFLEET_DASHBOARD_TOKEN), which every request to the page's"
          + " API must then carry");
    }
    return this;
  }
}
