package io.wasmfleet.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.wasmfleet.protocol.Crc32;
import io.wasmfleet.protocol.WireFormatException;
import io.wasmfleet.protocol.WireValues;
import java.time.Duration;

/** The fields of one request, read with errors that name the field. */
final class ApiRequest {

  private final JsonNode json;

  ApiRequest(JsonNode json) {
    this.json = json;
  }

  String cmd() {
    return text("cmd", true);
  }

  int version() {
    JsonNode v = json.get("v");
    return v == null || v.isNull() ? 1 : v.asInt(1);
  }

  String text(String field, boolean required) {
    JsonNode v = json.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new ApiError("missing field '" + field + "'");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new ApiError("field '" + field + "' must be a string");
    }
    return v.asText();
  }

  String moduleId() {
    return wire(() -> WireValues.requireModuleId("module_id", text("module_id", true)));
  }

  /** An id, or {@code auto}; null when absent or empty. */
  String victim() {
    String v = text("replace_victim", false);
    if (v == null || v.isEmpty()) {
      return null;
    }
    return v.equals("auto") ? v : wire(() -> WireValues.requireModuleId("replace_victim", v));
  }

  boolean bool(String field, boolean fallback) {
    JsonNode v = json.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw new ApiError("field '" + field + "' must be true or false");
    }
    return v.asBoolean();
  }

  Duration seconds(String field, double fallback) {
    JsonNode v = json.get(field);
    double s = fallback;
    if (v != null && !v.isNull()) {
      if (!v.isNumber() && !(v.isTextual() && v.asText().matches("\\d+(\\.\\d+)?"))) {
        throw new ApiError("field '" + field + "' must be a number of seconds");
      }
      s = v.asDouble();
    }
    if (s <= 0 || s > 86_400) {
      throw new ApiError("field '" + field + "' must be between 0 and 86400 seconds");
    }
    return Duration.ofMillis((long) (s * 1000));
  }

  int size(String field, long max) {
    JsonNode v = json.get(field);
    if (v == null || v.isNull()) {
      throw new ApiError("missing field '" + field + "'");
    }
    long n;
    if (v.canConvertToLong() && v.isIntegralNumber()) {
      n = v.asLong();
    } else if (v.isTextual() && v.asText().matches("\\d{1,12}")) {
      n = Long.parseLong(v.asText());
    } else {
      throw new ApiError("field '" + field + "' must be a whole number of bytes");
    }
    if (n <= 0 || n > max) {
      throw new ApiError("field '" + field + "' must be between 1 and " + max + " bytes, got " + n);
    }
    return (int) n;
  }

  JsonNode node(String field) {
    return json.get(field);
  }

  boolean has(String field) {
    return json.hasNonNull(field);
  }

  /** A whole number from 1 to {@code max}, or {@code fallback} when absent. */
  int count(String field, int fallback, int max) {
    JsonNode v = json.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isIntegralNumber() || v.asInt() < 1 || v.asInt() > max) {
      throw new ApiError("field '" + field + "' must be a whole number from 1 to " + max);
    }
    return v.asInt();
  }

  int crc(String field) {
    String v = text(field, true);
    if (!v.matches("[0-9a-fA-F]{1,8}")) {
      throw new ApiError("field '" + field + "' must be 8 hex digits (zlib CRC-32), got '" + v + "'");
    }
    return Crc32.parseHex(field, v);
  }

  static <T> T wire(java.util.function.Supplier<T> check) {
    try {
      return check.get();
    } catch (WireFormatException e) {
      throw new ApiError(e.getMessage());
    }
  }
}
