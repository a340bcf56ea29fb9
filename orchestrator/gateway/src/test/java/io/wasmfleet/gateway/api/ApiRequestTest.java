package io.wasmfleet.gateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** A request's fields as the host API reads them for one board and for a fleet alike: errors name the field. */
class ApiRequestTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ApiRequest request(String json) throws Exception {
    return new ApiRequest(JSON.readTree(json));
  }

  private static String error(org.junit.jupiter.api.function.Executable read) {
    return assertThrows(ApiError.class, read).getMessage();
  }

  @Test
  void startsFunctionAndArguments() throws Exception {
    assertNull(request("{}").funcName(), "no func_name: the module's app_main");
    assertNull(request("{\"func_name\": \"\"}").funcName(), "an empty one too (host.py sends it)");
    assertEquals("run_fft", request("{\"func_name\": \"run_fft\"}").funcName());
    assertTrue(error(() -> request("{\"func_name\": \"run fft\"}").funcName()).contains("func_name"));
    assertEquals("1,2", request("{\"func_args\": \"1,2\"}").funcArgs());
    assertNull(request("{}").funcArgs());
    assertEquals("invalid args '1,x': 'x' is not a signed 32-bit integer",
        error(() -> request("{\"func_args\": \"1,x\"}").funcArgs()), "as host-api.md words it");
  }

  @Test
  void aBuildsModeIsWasmOrAot() throws Exception {
    assertEquals("wasm", request("{}").mode());
    assertEquals("aot", request("{\"mode\": \"aot\"}").mode());
    assertEquals("field 'mode' must be wasm or aot, got 'native'", error(() -> request("{\"mode\": \"native\"}").mode()));
    assertEquals("field 'mode' must be a string", error(() -> request("{\"mode\": 1}").mode()));
  }

  @Test
  void aliasesNameOneCommandAndItsMetric() throws Exception {
    assertEquals("load", ApiRequest.canonical("deploy"));
    assertEquals("build_and_load", ApiRequest.canonical("build-and-deploy"));
    assertEquals("console", ApiRequest.canonical("logs"));
    assertEquals("fleet.status", HostApi.commandLabel(JSON.readTree("{\"v\": 2, \"cmd\": \"fleet\", \"op\": \"status\"}")));
    assertEquals("fleet", HostApi.commandLabel(JSON.readTree("{\"v\": 2, \"cmd\": \"fleet\", \"op\": \"nonsense\"}")));
    assertEquals("unknown", HostApi.commandLabel(JSON.readTree("{\"cmd\": \"rm -rf\"}")));
  }

  @Test
  void aLineThatIsNotJsonSaysWhatAndWhereWithoutTheParsersInternals() {
    assertEquals("the request is not JSON: Unexpected end-of-input: expected close marker for Object, at column 33",
        error(() -> ApiRequest.parse(JSON, "{\"cmd\":\"status\",\"device\":\"board\"")));
    assertEquals("the request is not JSON: Unrecognized token 'garbage': was expecting (JSON String, Number, Array, "
        + "Object or token 'null', 'true' or 'false'), at column 1", error(() -> ApiRequest.parse(JSON, "garbage")));
    assertEquals("the request must be one JSON object on one line", error(() -> ApiRequest.parse(JSON, "[1]")));
  }
}
