package io.wasmfleet.gateway.device;

import io.wasmfleet.gateway.CborSerializable;

/** A module slot as the gateway sees it: the module, its phase, the job's function, when it was last used. */
public record ModuleView(String id, String phase, String func, long lastUsedMillis, long wasmBytes)
    implements CborSerializable {

  public boolean idle() {
    return phase.equals("LOADED");
  }
}
