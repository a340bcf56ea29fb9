package io.wasmfleet.gateway.campaign;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.nio.file.Paths;

/** {@code wasmfleet.gateway.campaigns}: where campaigns are stored and built. */
public record CampaignSettings(String url, String user, String password, Path workDir) {

  public static CampaignSettings fromConfig(Config campaigns) {
    return new CampaignSettings(campaigns.getString("store.url"), campaigns.getString("store.user"),
        campaigns.getString("store.password"), Paths.get(campaigns.getString("work-dir")));
  }
}
