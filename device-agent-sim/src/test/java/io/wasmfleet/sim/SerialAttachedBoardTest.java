package io.wasmfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fazecast.jSerialComm.SerialPort;
import com.typesafe.config.ConfigFactory;
import io.wasmfleet.protocol.DeviceLine.Hello;
import io.wasmfleet.protocol.DeviceLine.Result;
import io.wasmfleet.wasm.BuiltModules;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A board on one end of a socat pty pair, driven through jSerialComm from the other end. */
class SerialAttachedBoardTest {

  @Test
  void aBoardOnAPtyAnswersLikeOnTcp() throws Exception {
    try (PtyPair pty = new PtyPair()) {
      SerialPort port = SerialPort.getCommPort(pty.b);
      port.setComPortParameters(115200, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
      port.setComPortTimeouts(SerialPort.TIMEOUT_READ_BLOCKING, 0, 0);
      assertTrue(port.openPort(), "jSerialComm opens " + pty.b);
      try (WireClient wire = new WireClient(port.getInputStream(), port.getOutputStream(), port::closePort);
          BoardFarm farm = BoardFarm.start(ConfigFactory.load(),
              List.of(BoardSpec.parse("serial_f446=nucleo_f446re:serial:" + pty.a)))) {
        assertEquals("serial:" + pty.a, farm.endpoint("serial_f446"));
        assertEquals("serial_f446", wire.next(Hello.class).deviceId(), "HELLO at boot, on the wire");
        assertTrue(wire.status().modules().isEmpty());
        wire.loadOk("math_ops", BuiltModules.wasmBytes("math_ops"));
        wire.send("START module_id=math_ops func=add args=\"a=10,b=15\"");
        assertEquals("START_OK", wire.nextText());
        assertEquals(25, wire.next(Result.class).retI32());
      }
    }
  }
}
