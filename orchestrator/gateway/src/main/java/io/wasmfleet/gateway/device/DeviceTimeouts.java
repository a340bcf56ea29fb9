package io.wasmfleet.gateway.device;

import com.typesafe.config.Config;
import java.time.Duration;

/** Every wait of a DeviceActor, from {@code wasmfleet.gateway.device}. */
public record DeviceTimeouts(
    Duration connect,
    Duration connectWait,
    Duration reconnectMin,
    Duration reconnectMax,
    Duration loadReady,
    Duration loadOk,
    Duration payloadMargin,
    int payloadLead,
    Duration reply,
    Duration status,
    Duration boardPayloadTimeout,
    int consoleLines,
    int stashCapacity) {

  public static DeviceTimeouts fromConfig(Config device) {
    return new DeviceTimeouts(
        device.getDuration("connect-timeout"),
        device.getDuration("connect-wait"),
        device.getDuration("reconnect-backoff-min"),
        device.getDuration("reconnect-backoff-max"),
        device.getDuration("load-ready-timeout"),
        device.getDuration("load-ok-timeout"),
        device.getDuration("payload-margin"),
        (int) device.getBytes("payload-lead").longValue(),
        device.getDuration("reply-timeout"),
        device.getDuration("status-timeout"),
        device.getDuration("board-payload-timeout"),
        device.getInt("console-lines"),
        device.getInt("stash-capacity"));
  }

  /** How long {@code bytes} take on a UART at {@code baud} (8N1), doubled, plus the margin. */
  public Duration payloadTime(long bytes, int baud) {
    return Duration.ofNanos(2 * bytes * 10_000_000_000L / Math.max(1, baud)).plus(payloadMargin);
  }
}
