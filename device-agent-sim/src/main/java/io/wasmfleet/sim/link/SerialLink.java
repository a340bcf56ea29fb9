package io.wasmfleet.sim.link;

import com.fazecast.jSerialComm.SerialPort;
import io.wasmfleet.sim.board.SimulatedBoard;
import io.wasmfleet.sim.board.Uplink;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A board attached to a serial device, typically one end of a pty pair made by
 * {@code socat -d -d pty,raw,echo=0 pty,raw,echo=0}: the gateway opens the other end with
 * jSerialComm exactly as it would open /dev/ttyACM0. A serial line is always connected.
 */
public final class SerialLink implements AutoCloseable, Uplink {

  private static final Logger log = LoggerFactory.getLogger(SerialLink.class);

  private final SimulatedBoard board;
  private final SerialPort port;
  private final Pacer rxPacer;
  private final Thread reader;
  private volatile boolean closed;

  public SerialLink(SimulatedBoard board, String path, boolean uartPacing) throws IOException {
    this.board = board;
    this.rxPacer = uartPacing ? new Pacer(board.profile().nanosPerUartByte()) : Pacer.none();
    if (!new java.io.File(path).exists()) {
      throw new IOException("cannot open serial device " + path + ": no such device");
    }
    this.port = SerialPort.getCommPort(path);
    port.setComPortParameters(board.profile().uartBaud(), 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
    port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, 200, 0);
    if (!port.openPort()) {
      throw new IOException("cannot open serial device " + path + " (error " + port.getLastErrorCode() + ")");
    }
    board.attach(this);
    reader = new Thread(this::readLoop, "sim-" + board.id() + "-serial");
    reader.setDaemon(true);
    reader.start();
  }

  public String path() {
    return port.getSystemPortPath();
  }

  @Override
  public synchronized boolean write(byte[] bytes) {
    return !closed && port.writeBytes(bytes, bytes.length) == bytes.length;
  }

  private void readLoop() {
    byte[] buf = new byte[4096];
    try {
      while (!closed) {
        int n = port.readBytes(buf, buf.length);
        if (n < 0) {
          if (!closed) {
            log.warn("board {}: serial read failed (error {})", board.id(), port.getLastErrorCode());
          }
          return;
        }
        rxPacer.deliver(board::receive, buf, n);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    board.detach(this);
    port.closePort();
  }
}
