package io.wasmfleet.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.gateway.device.Answer;

/** The host API's answers (host-api-v1.md): {@code ok} and {@code detail}, or {@code ok: false} and {@code error}. */
final class Answers {

  private static final ObjectMapper PLAIN = new ObjectMapper();

  private Answers() {}

  static ObjectNode ok(String detail) {
    ObjectNode out = PLAIN.createObjectNode();
    out.put("ok", true);
    out.put("detail", detail);
    return out;
  }

  static ObjectNode error(String error) {
    ObjectNode out = PLAIN.createObjectNode();
    out.put("ok", false);
    out.put("error", error);
    return out;
  }

  /** A board's answer, with what a failed replace's rollback did. */
  static ObjectNode of(Answer a) {
    ObjectNode out = a.ok() ? ok(a.detail()) : error(a.error());
    if (a.rolledBack() != null) {
      out.put("rolled_back", a.rolledBack());
    }
    if (a.rollbackFailed() != null) {
      out.put("rolled_back", false);
      out.put("rollback_failed", a.rollbackFailed());
    }
    return out;
  }
}
