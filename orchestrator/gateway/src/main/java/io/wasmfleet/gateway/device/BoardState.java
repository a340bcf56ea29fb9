package io.wasmfleet.gateway.device;

import io.wasmfleet.gateway.CborSerializable;
import io.wasmfleet.protocol.DeviceLine.StatusOk;
import java.util.List;
import java.util.Map;

/**
 * What the gateway knows of a board, without asking it (a {@link DeviceActor.GetState}): its
 * configuration, link, modules and last pool figures; {@code simulated} when it is tagged so or
 * said {@code sim=1} in its HELLO; {@code node}: the gateway node that drives it;
 * {@code reported}: what its last HELLO said (rtos, runtime, fw_version, and appended keys:
 * board, clock_mhz, fpu, caps).
 */
public record BoardState(BoardConfig config, String link, List<ModuleView> modules, StatusOk.PoolFigures pool,
    String lastError, boolean simulated, String node, Map<String, String> reported) implements CborSerializable {

  public BoardState {
    reported = reported == null ? Map.of() : Map.copyOf(reported);
  }

  public BoardState(BoardConfig config, String link, List<ModuleView> modules, StatusOk.PoolFigures pool,
      String lastError, boolean simulated, String node) {
    this(config, link, modules, pool, lastError, simulated, node, Map.of());
  }

  public String board() {
    return config.id();
  }
}
