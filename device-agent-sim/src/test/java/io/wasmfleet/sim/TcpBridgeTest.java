package io.wasmfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The TCP side of a simulated board behaves like ser2net in front of a UART. */
class TcpBridgeTest {

  @Test
  void aClientThatHalfClosesStillGetsItsAnswer() throws Exception {
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of());
        Socket s = new Socket("127.0.0.1", b.port())) {
      s.getOutputStream().write("STATUS\n".getBytes(StandardCharsets.US_ASCII));
      s.shutdownOutput(); // what `printf 'STATUS\n' | nc -q1 host port` does
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      assertTrue(in.readLine().startsWith("HELLO device_id=board-under-test "));
      assertTrue(in.readLine().startsWith("STATUS_OK modules=\"none\" "));
    }
  }

  @Test
  void aNewConnectionReplacesTheOldOne() throws Exception {
    try (SimBoards.Started b = SimBoards.start("nucleo_f446re", Map.of());
        WireClient first = b.connect()) {
      first.nextLine(); // HELLO
      try (WireClient second = b.connect()) {
        assertTrue(first.closedByBoard(), "the old connection is closed, as ser2net's kick-old-user does");
        second.send("STATUS");
        assertTrue(second.nextText().startsWith("STATUS_OK"));
        assertEquals(0, second.console().size());
      }
    }
  }
}
