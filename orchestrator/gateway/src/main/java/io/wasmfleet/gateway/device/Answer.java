package io.wasmfleet.gateway.device;

import io.wasmfleet.gateway.CborSerializable;

/**
 * The final answer to a request: {@code detail} is the board's final line when ok. A replace
 * that failed after the board destroyed the module it replaced says whether the gateway put
 * that module back: {@code rolledBack} true, or {@code rollbackFailed} with the reason.
 * {@code ownerStopped}: the actor that drove the board stopped while the request was in flight
 * (the board was handed to another node, or this node stopped), so its outcome is unknown.
 */
public record Answer(boolean ok, String detail, String error, Boolean rolledBack, String rollbackFailed,
    boolean ownerStopped) implements CborSerializable {

  public Answer(boolean ok, String detail, String error) {
    this(ok, detail, error, null, null, false);
  }

  Answer withRolledBack() {
    return new Answer(ok, detail, error, true, null, ownerStopped);
  }

  Answer withRollbackFailed(String why) {
    return new Answer(ok, detail, error, null, why, ownerStopped);
  }

  public static Answer ok(String detail) {
    return new Answer(true, detail, null);
  }

  public static Answer error(String error) {
    return new Answer(false, null, error);
  }

  /** The request's board actor stopped before it could answer: {@code error} says so. */
  public static Answer ownerStopped(String error) {
    return new Answer(false, null, error, null, null, true);
  }

  /** A board line: ok only for the statuses that mean success. */
  static Answer of(boolean ok, String line) {
    return ok ? ok(line) : error(line);
  }
}
