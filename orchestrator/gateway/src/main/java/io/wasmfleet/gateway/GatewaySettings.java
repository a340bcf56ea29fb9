package io.wasmfleet.gateway;

import com.typesafe.config.Config;
import io.wasmfleet.gateway.api.ApiSettings;
import io.wasmfleet.gateway.build.BuildSettings;
import io.wasmfleet.gateway.campaign.CampaignSettings;
import io.wasmfleet.gateway.device.DeviceTimeouts;
import java.time.Duration;

/** Everything under {@code wasmfleet.gateway}, read once at start. */
public record GatewaySettings(ApiSettings api, DeviceTimeouts device, BuildSettings build, Duration deployTimeout,
    Duration networkKeepAlive, CampaignSettings campaigns, io.wasmfleet.gateway.web.DashboardSettings dashboard) {

  /** Room in a frame for a LOAD's other fields and the envelope, beside the module itself. */
  private static final long FRAME_OVERHEAD = 64 * 1024;

  /**
   * Reads the settings; throws IllegalArgumentException when a module the API accepts could not
   * reach a board on another node (max-blob larger than Artery's large-message frame).
   */
  public static GatewaySettings fromConfig(Config config) {
    Config g = config.getConfig("wasmfleet.gateway");
    long maxBlob = g.getBytes("api.max-blob");
    long frame = config.getBytes("pekko.remote.artery.advanced.maximum-large-frame-size");
    if (maxBlob + FRAME_OVERHEAD > frame) {
      throw new IllegalArgumentException("wasmfleet.gateway.api.max-blob (" + maxBlob + " bytes) does not fit in"
          + " pekko.remote.artery.advanced.maximum-large-frame-size (" + frame + " bytes, less " + FRAME_OVERHEAD
          + " for the envelope): a LOAD to a board on another node would be dropped; raise the frame size or"
          + " lower max-blob");
    }
    return new GatewaySettings(ApiSettings.fromConfig(g), DeviceTimeouts.fromConfig(g.getConfig("device")),
        BuildSettings.fromConfig(g.getConfig("build")), g.getDuration("deploy.timeout"),
        g.getDuration("network-boards-keep-alive"), CampaignSettings.fromConfig(g.getConfig("campaigns")),
        io.wasmfleet.gateway.web.DashboardSettings.fromConfig(g).checked());
  }
}
