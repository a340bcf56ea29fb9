package io.wasmfleet.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.wasmfleet.hostapi.JsonLines;
import io.wasmfleet.protocol.Crc32;
import io.wasmfleet.protocol.StartArgs;
import io.wasmfleet.protocol.WireFormatException;
import io.wasmfleet.protocol.WireValues;
import java.time.Duration;

/** The fields of one request, read with errors that name the field. */
final class ApiRequest {

  private final JsonNode json;

  ApiRequest(JsonNode json) {
    this.json = json;
  }

  /** A command's own name for any of its aliases (deploy is load, logs is console, ...). */
  static String canonical(String cmd) {
    return switch (cmd) {
      case "deploy" -> "load";
      case "build-and-deploy", "build_and_deploy" -> "build_and_load";
      case "logs" -> "console";
      default -> cmd;
    };
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

  /** A build's {@code mode}: wasm (the default) or aot. */
  String mode() {
    String mode = text("mode", false);
    if (mode == null) {
      return "wasm";
    }
    if (!mode.equals("wasm") && !mode.equals("aot")) {
      throw new ApiError("field 'mode' must be wasm or aot, got '" + mode + "'");
    }
    return mode;
  }

  /** START's function: null when absent or empty (the module's default), else a valid name. */
  String funcName() {
    String f = text("func_name", false);
    return f == null || f.isEmpty() ? null : wire(() -> WireValues.requireFunctionName("func_name", f));
  }

  /** START's arguments, checked as the wire will carry them; null when absent. */
  String funcArgs() {
    String args = text("func_args", false);
    wire(() -> StartArgs.parse(args));
    return args;
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

  // ---- the request line, before it is served -----------------------------------------------

  /** The request line as a JSON object; an {@link ApiError} naming what is wrong with it otherwise. */
  static JsonNode parse(com.fasterxml.jackson.databind.ObjectMapper json, String line) {
    JsonNode parsed;
    try {
      parsed = json.readTree(line);
    } catch (java.io.IOException e) {
      throw new ApiError("the request is not JSON: " + JsonLines.problem(e));
    }
    if (parsed == null || !parsed.isObject()) {
      throw new ApiError("the request must be one JSON object on one line");
    }
    return parsed;
  }

  /**
   * How many bytes follow a request line: the blob (or blobs) its command announces, counted
   * only when their sizes are valid (an invalid size is answered by the command, without a blob).
   */
  static int announcedBlob(JsonNode r, long maxBlob) {
    long total = switch (canonical(r.path("cmd").asText(""))) {
      case "load" -> validSize(r, "blob_size", maxBlob);
      case "build_and_load" -> validSize(r, "source_size", maxBlob);
      case "fleet" -> r.path("op").asText("").equals("deploy")
          ? validSize(r, r.has("blob_size") ? "blob_size" : "source_size", maxBlob) : 0;
      case "campaign" -> {
        long sum = 0;
        if (r.path("op").asText("").equals("run")) {
          for (JsonNode m : r.path("modules")) {
            long one = validSize(m, "size", maxBlob);
            if (one == 0) {
              break; // the modules are read in order: the command stops at this one
            }
            sum += one;
          }
        }
        yield sum;
      }
      default -> 0;
    };
    return total > 8 * maxBlob || total > Integer.MAX_VALUE - 16 ? 0 : (int) total;
  }

  /** {@code field}'s size as the command will read it; 0 when the command will refuse it. */
  private static long validSize(JsonNode request, String field, long max) {
    try {
      return new ApiRequest(request).size(field, max);
    } catch (ApiError e) {
      return 0;
    }
  }
}
