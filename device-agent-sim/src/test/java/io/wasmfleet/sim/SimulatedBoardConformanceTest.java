package io.wasmfleet.sim;


import java.util.Map;

/**
 * The conformance suite (v1, and LOAD v2 with {@code load2 = on}) against a simulated board on a
 * real TCP socket (127.0.0.1, port 0).
 */
class SimulatedBoardConformanceTest extends Load2ConformanceSuite {

  @Override
  protected BoardUnderTest boot(String profile, Map<String, String> overrides) throws Exception {
    return SimBoards.start(profile, overrides);
  }

  @Override
  protected void awaitLedToggled(WireClient wire, String moduleId) throws Exception {
    SimBoards.awaitToggles(wire, moduleId, 1);
  }
}
