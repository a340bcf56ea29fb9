package io.wasmfleet.gateway;

import com.typesafe.config.Config;
import java.io.IOException;
import java.util.List;

/**
 * Where the embedded default's boards come from: a node with no boards configured starts the
 * boards of {@code wasmfleet.gateway.embedded-simulator} in-process through the first
 * implementation found by {@link java.util.ServiceLoader}. The gateway library carries none;
 * the application module ({@code orchestrator/app}, what {@code bin/gateway} runs) provides the
 * simulator's, so the product jar carries neither the simulator nor its wasm compiler.
 */
public interface EmbeddedBoards {

  /** One started board: its id, its profile (a board type), and its {@code tcp:host:port} endpoint. */
  record Board(String id, String profile, String endpoint) {}

  /** The started boards; closing stops them. */
  interface Started extends AutoCloseable {
    List<Board> boards();

    @Override
    void close();
  }

  /** Starts the boards {@code config} (resolved) lists under {@code wasmfleet.gateway.embedded-simulator}. */
  Started start(Config config) throws IOException;
}
