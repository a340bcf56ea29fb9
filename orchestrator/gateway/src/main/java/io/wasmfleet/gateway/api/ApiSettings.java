package io.wasmfleet.gateway.api;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code wasmfleet.gateway.api} and the timeouts the API edge asks with. */
public record ApiSettings(String host, int port, int maxConnections, Duration readTimeout, int maxRequestLine,
    long maxBlob, Duration askMargin, Duration deployTimeout, Duration buildTimeout, Duration replyTimeout,
    Duration statusTimeout, Duration connectWait) {

  public static ApiSettings fromConfig(Config gateway) {
    Config api = gateway.getConfig("api");
    Config device = gateway.getConfig("device");
    return new ApiSettings(api.getString("host"), api.getInt("port"), api.getInt("max-connections"),
        api.getDuration("read-timeout"), (int) api.getBytes("max-request-line").longValue(), api.getBytes("max-blob"),
        gateway.getDuration("ask-margin"), gateway.getDuration("deploy.timeout"), gateway.getDuration("build.timeout"),
        device.getDuration("reply-timeout"), device.getDuration("status-timeout"), device.getDuration("connect-wait"));
  }

  /**
   * How long the edge waits for a board command whose reply is due within {@code reply}: the
   * wait for a link, the reply, a re-read of STATUS when the reply is late, and the margin,
   * plus {@code more} (a RESULT awaited after the reply).
   */
  public Duration commandTimeout(Duration reply, Duration more) {
    return connectWait.plus(reply).plus(statusTimeout).plus(askMargin).plus(more);
  }
}
