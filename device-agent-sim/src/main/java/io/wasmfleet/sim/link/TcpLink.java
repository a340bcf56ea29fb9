package io.wasmfleet.sim.link;

import io.wasmfleet.sim.board.SimulatedBoard;
import io.wasmfleet.sim.board.Uplink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A board's UART bridged to TCP, like ser2net: one connection at a time (a new one replaces
 * the old), and opening or closing a connection never resets the board.
 */
public final class TcpLink implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TcpLink.class);

  private final SimulatedBoard board;
  private final ServerSocket server;
  private final Pacer rxPacer;
  private final AtomicReference<Connection> current = new AtomicReference<>();
  private final Thread acceptor;
  private volatile boolean closed;

  public TcpLink(SimulatedBoard board, String host, int port, boolean uartPacing) throws IOException {
    this.board = board;
    this.rxPacer = uartPacing ? new Pacer(board.profile().nanosPerUartByte()) : Pacer.none();
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    this.acceptor = new Thread(this::acceptLoop, "sim-" + board.id() + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  public String address() {
    return server.getInetAddress().getHostAddress() + ":" + port();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        socket.setTcpNoDelay(true);
        Connection c = new Connection(socket);
        Connection previous = current.getAndSet(c);
        if (previous != null) {
          previous.close();
        }
        board.attach(c);
        Thread reader = new Thread(c::readLoop, "sim-" + board.id() + "-rx");
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        if (!closed) {
          log.warn("board {}: accept failed: {}", board.id(), e.getMessage());
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    Connection c = current.getAndSet(null);
    if (c != null) {
      c.close();
    }
  }

  private final class Connection implements Uplink {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
      this.in = socket.getInputStream();
    }

    @Override
    public boolean write(byte[] bytes) {
      synchronized (this) {
        try {
          out.write(bytes);
          out.flush();
          return true;
        } catch (IOException e) {
          close();
          return false;
        }
      }
    }

    /**
     * Reads until the peer stops sending. A half-close (the peer shut its sending side, as
     * {@code nc -q1} does) leaves this side writable, so replies still reach the peer; the
     * socket closes when a write fails or a new connection replaces it. The cut fault closes
     * at once.
     */
    void readLoop() {
      byte[] buf = new byte[4096];
      try {
        int n;
        while ((n = in.read(buf)) >= 0) {
          int allowed = (int) board.faults().bytesBeforeCut(n);
          rxPacer.deliver(board, buf, allowed);
          if (allowed < n) {
            log.info("board {}: cut fault closes the connection", board.id());
            close();
            return;
          }
        }
      } catch (IOException e) {
        close();
      } catch (InterruptedException e) {
        close();
        Thread.currentThread().interrupt();
      }
    }

    void close() {
      board.detach(this);
      current.compareAndSet(this, null);
      try {
        socket.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }
}
