package io.wasmfleet.sim.link;

import io.wasmfleet.sim.board.SimThreads;
import io.wasmfleet.sim.board.SimulatedBoard;
import io.wasmfleet.sim.board.Uplink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A board's UART bridged to TCP, like ser2net: one connection at a time (a new one replaces
 * the old), and opening or closing a connection never resets the board. Non-blocking, on the
 * process's one {@link TcpHub} selector thread: what the board's receive buffer cannot take
 * yet stays in the socket (TCP flow control holds the sender back), and with UART pacing the
 * bytes reach the board a slice at a time at the wire's pace, on a timer rather than a sleep.
 */
public final class TcpLink implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TcpLink.class);
  /** Output a gateway has not read yet, beyond which the connection is dropped. */
  private static final int MAX_UNSENT = 4 * 1024 * 1024;

  private final SimulatedBoard board;
  private final ServerSocketChannel server;
  private final TcpHub hub = TcpHub.shared();
  private final Pacer rxPacer;
  private final AtomicReference<Connection> current = new AtomicReference<>();
  private volatile boolean closed;

  public TcpLink(SimulatedBoard board, String host, int port, boolean uartPacing) throws IOException {
    this.board = board;
    this.rxPacer = uartPacing ? new Pacer(board.profile().nanosPerUartByte()) : Pacer.none();
    this.server = ServerSocketChannel.open();
    try {
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      server.configureBlocking(false);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    hub.register(server, SelectionKey.OP_ACCEPT, key -> accept());
  }

  public int port() {
    return server.socket().getLocalPort();
  }

  public String address() {
    return server.socket().getInetAddress().getHostAddress() + ":" + port();
  }

  /** On the selector thread. */
  private void accept() {
    try {
      SocketChannel ch;
      while ((ch = server.accept()) != null) {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        Connection c = new Connection(ch);
        c.key = ch.register(hub.selector(), SelectionKey.OP_READ, (Consumer<SelectionKey>) c::ready);
        Connection previous = current.getAndSet(c);
        if (previous != null) {
          previous.close();
        }
        if (closed) {
          c.close();
          return;
        }
        board.attach(c);
      }
    } catch (IOException e) {
      if (!closed) {
        log.warn("board {}: accept failed: {}", board.id(), e.getMessage());
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
    private final SocketChannel channel;
    volatile SelectionKey key;
    // output: guarded by out
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private int unsent;
    // input not yet taken by the board: guarded by this
    private byte[] pending;
    private int pendingOff;
    private int pendingLen;
    /** When the pending bytes were read off the socket: the wire may carry them from then on. */
    private long pendingArrived;
    private int sliceLeft;
    private long sliceDue;
    private boolean cutAfterPending;
    private volatile boolean gone;

    Connection(SocketChannel channel) {
      this.channel = channel;
    }

    /** The selector saw this connection readable or writable. */
    void ready(SelectionKey k) {
      if (k.isValid() && k.isWritable()) {
        flush();
      }
      if (k.isValid() && k.isReadable()) {
        read();
      }
    }

    @Override
    public boolean write(byte[] bytes) {
      synchronized (out) {
        if (gone) {
          return false;
        }
        try {
          ByteBuffer b = ByteBuffer.wrap(bytes);
          if (out.isEmpty()) {
            channel.write(b);
            if (!b.hasRemaining()) {
              return true;
            }
          }
          out.add(b);
          unsent += b.remaining();
          if (unsent > MAX_UNSENT) {
            log.warn("board {}: the gateway reads nothing ({} bytes unsent); dropping the connection", board.id(), unsent);
            close();
            return false;
          }
          hub.interest(key, SelectionKey.OP_WRITE, 0);
          return true;
        } catch (IOException e) {
          close();
          return false;
        }
      }
    }

    /** On the selector thread: writes what waited for room in the socket. */
    private void flush() {
      synchronized (out) {
        try {
          while (!out.isEmpty()) {
            ByteBuffer b = out.peek();
            int n = channel.write(b);
            unsent -= n;
            if (b.hasRemaining()) {
              return;
            }
            out.poll();
          }
          key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
          return;
        } catch (IOException e) {
          // closed below, outside the lock: close() takes the board's output lock
        }
      }
      close();
    }

    /**
     * On the selector thread. A half-close (the peer shut its sending side, as {@code nc -q1}
     * does) leaves this side writable, so replies still reach the peer; the socket closes when
     * a write fails or a new connection replaces it. The cut fault closes at once.
     */
    private void read() {
      ByteBuffer buf = hub.readBuffer;
      buf.clear();
      int n;
      try {
        n = channel.read(buf);
      } catch (IOException e) {
        close();
        return;
      }
      if (n < 0) {
        key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
        return;
      }
      if (n == 0) {
        return;
      }
      int allowed = (int) board.faults().bytesBeforeCut(n);
      synchronized (this) {
        pending = new byte[allowed];
        buf.flip();
        buf.get(pending, 0, allowed);
        pendingOff = 0;
        pendingLen = allowed;
        pendingArrived = System.nanoTime();
        cutAfterPending = allowed < n;
      }
      key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
      deliver();
    }

    /** Hands what was read to the board: all it takes, paced by slices on a paced wire. */
    private synchronized void deliver() {
      if (gone) {
        return;
      }
      while (pendingOff < pendingLen) {
        if (sliceLeft == 0) {
          sliceLeft = Math.min(rxPacer.paces() ? Pacer.UART_SLICE : pendingLen, pendingLen - pendingOff);
          sliceDue = rxPacer.paces() ? rxPacer.reserve(sliceLeft, pendingArrived) : 0;
        }
        long wait = sliceDue - System.nanoTime();
        if (sliceDue != 0 && wait > 0) {
          SimThreads.shared().schedule(this::deliver, wait, TimeUnit.NANOSECONDS);
          return;
        }
        int took = board.offer(pending, pendingOff, sliceLeft);
        pendingOff += took;
        sliceLeft -= took;
        if (sliceLeft > 0) {
          board.whenRxSpace(this::deliver);
          return;
        }
      }
      pending = null;
      if (cutAfterPending) {
        log.info("board {}: cut fault closes the connection", board.id());
        close();
        return;
      }
      hub.interest(key, SelectionKey.OP_READ, 0);
    }

    void close() {
      gone = true;
      board.detach(this);
      current.compareAndSet(this, null);
      try {
        channel.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }
}
