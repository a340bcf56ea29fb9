package io.wasmfleet.gateway.device;

import io.wasmfleet.gateway.CborSerializable;

/**
 * The final answer to a request: {@code detail} is the board's final line when ok. A replace
 * that failed after the board destroyed the module it replaced says whether the gateway put
 * that module back: {@code rolledBack} true, or {@code rollbackFailed} with the reason.
 */
public record Answer(boolean ok, String detail, String error, Boolean rolledBack, String rollbackFailed)
    implements CborSerializable {

  public Answer(boolean ok, String detail, String error) {
    this(ok, detail, error, null, null);
  }

  Answer withRolledBack() {
    return new Answer(ok, detail, error, true, null);
  }

  Answer withRollbackFailed(String why) {
    return new Answer(ok, detail, error, null, why);
  }

  public static Answer ok(String detail) {
    return new Answer(true, detail, null);
  }

  public static Answer error(String error) {
    return new Answer(false, null, error);
  }

  /** A board line: ok only for the statuses that mean success. */
  static Answer of(boolean ok, String line) {
    return ok ? ok(line) : error(line);
  }
}
