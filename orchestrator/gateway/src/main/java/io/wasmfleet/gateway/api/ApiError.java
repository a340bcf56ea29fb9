package io.wasmfleet.gateway.api;

/** A request that cannot be served; the message is the answer's {@code error}. */
final class ApiError extends RuntimeException {
  ApiError(String message) {
    super(message, null, false, false);
  }
}
