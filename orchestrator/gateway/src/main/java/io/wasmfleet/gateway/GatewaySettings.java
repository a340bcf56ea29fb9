package io.wasmfleet.gateway;

import com.typesafe.config.Config;
import io.wasmfleet.gateway.api.ApiSettings;
import io.wasmfleet.gateway.build.BuildSettings;
import io.wasmfleet.gateway.device.DeviceTimeouts;
import java.time.Duration;

/** Everything under {@code wasmfleet.gateway}, read once at start. */
public record GatewaySettings(ApiSettings api, DeviceTimeouts device, BuildSettings build, Duration deployTimeout,
    Duration networkKeepAlive) {

  public static GatewaySettings fromConfig(Config config) {
    Config g = config.getConfig("wasmfleet.gateway");
    return new GatewaySettings(ApiSettings.fromConfig(g), DeviceTimeouts.fromConfig(g.getConfig("device")),
        BuildSettings.fromConfig(g.getConfig("build")), g.getDuration("deploy.timeout"),
        g.getDuration("network-boards-keep-alive"));
  }
}
