package io.wasmfleet.gateway.transport;

import com.fazecast.jSerialComm.SerialPort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * One open link to a board: a reader thread turns the bytes into lines, and every write goes
 * through one writer thread so lines and payloads keep their order and no actor blocks on a
 * slow UART. Events reach the owner through the two callbacks; after {@code onClosed} no
 * further line is delivered.
 */
public final class BoardConnection implements AutoCloseable {

  /** Longest line kept; the rest of a longer line is dropped (a board's lines are short). */
  static final int MAX_LINE = 4096;

  private final InputStream in;
  private final OutputStream out;
  private final AutoCloseable resource;
  private final ExecutorService writer;
  private volatile boolean closed;
  private volatile long payloadEpoch;

  private BoardConnection(InputStream in, OutputStream out, AutoCloseable resource, String name) {
    this.in = in;
    this.out = out;
    this.resource = resource;
    this.writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name + "-tx");
      t.setDaemon(true);
      return t;
    });
  }

  /** Opens the link (blocking: call it off the actor threads). */
  public static BoardConnection open(Endpoint endpoint, int baud, Duration connectTimeout, String name)
      throws IOException {
    if (endpoint.isTcp()) {
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), (int) connectTimeout.toMillis());
        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);
        return new BoardConnection(socket.getInputStream(), socket.getOutputStream(), socket, name);
      } catch (IOException e) {
        socket.close();
        throw new IOException(e.getMessage(), e);
      }
    }
    if (!new java.io.File(endpoint.serialPath()).exists() && endpoint.serialPath().startsWith("/")) {
      throw new IOException(endpoint.serialPath() + ": no such serial device");
    }
    SerialPort port;
    try {
      port = SerialPort.getCommPort(endpoint.serialPath());
    } catch (RuntimeException e) {
      throw new IOException(endpoint.serialPath() + ": " + e.getMessage(), e);
    }
    port.setComPortParameters(baud, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
    // semi-blocking: a read returns as soon as a byte is there (blocking would wait for a full buffer)
    port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, 0, 0);
    if (!port.openPort()) {
      throw new IOException(endpoint.serialPath() + ": cannot open (error " + port.getLastErrorCode() + ")");
    }
    return new BoardConnection(port.getInputStream(), port.getOutputStream(), port::closePort, name);
  }

  /** Starts delivering lines (without their line ending) until the link closes. */
  public void start(Consumer<String> onLine, Consumer<String> onClosed, String name) {
    Thread reader = new Thread(() -> readLoop(onLine, onClosed), name + "-rx");
    reader.setDaemon(true);
    reader.start();
  }

  private void readLoop(Consumer<String> onLine, Consumer<String> onClosed) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    String reason = "closed by the board";
    try {
      byte[] buf = new byte[4096];
      int n;
      while ((n = in.read(buf)) >= 0) {
        for (int i = 0; i < n; i++) {
          byte b = buf[i];
          if (b == '\n' || b == '\r') {
            if (line.size() > 0) {
              onLine.accept(line.toString(StandardCharsets.ISO_8859_1));
              line.reset();
            }
          } else if (line.size() < MAX_LINE) {
            line.write(b);
          }
        }
      }
    } catch (IOException e) {
      reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    } finally {
      if (!closed) {
        close();
        onClosed.accept(reason);
      }
    }
  }

  /** Queues a line (a {@code \n} is added). */
  public CompletionStage<Void> writeLine(String line) {
    return write((line + "\n").getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * Queues a LOAD payload, written in small chunks no faster than the board's UART takes them
   * ({@code bytesPerSecond}; at most {@code lead} bytes ahead of the wire), so that
   * {@link #cancelPayloads} stops it within a chunk: after a reboot or a lost link the rest of a
   * payload must never reach a board that would read it as command lines. Completes when the
   * last byte is written; exceptionally with {@link PayloadCancelled} when cancelled first.
   */
  public CompletionStage<Void> writePayload(byte[] bytes, long bytesPerSecond, int lead) {
    long epoch = payloadEpoch;
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      writer.execute(() -> {
        try {
          long started = System.nanoTime();
          int chunk = Math.max(1, Math.min(lead, 64));
          for (int off = 0; off < bytes.length; off += chunk) {
            // the wire has taken (elapsed * rate) bytes: stay at most `lead` ahead of it
            long due = (long) ((off - lead) * 1e9 / Math.max(1, bytesPerSecond));
            long wait = due - (System.nanoTime() - started);
            if (wait > 0) {
              java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            if (payloadEpoch != epoch || closed) {
              throw new PayloadCancelled(off, bytes.length);
            }
            out.write(bytes, off, Math.min(chunk, bytes.length - off));
            out.flush();
          }
          done.complete(null);
        } catch (IOException | PayloadCancelled e) {
          done.completeExceptionally(e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      done.completeExceptionally(new IOException("link closed"));
    }
    return done;
  }

  /** Stops every payload being written or queued, before its next chunk. */
  public void cancelPayloads() {
    payloadEpoch++;
  }

  /** A payload write stopped by {@link #cancelPayloads}: {@code sent} of {@code size} bytes went out. */
  public static final class PayloadCancelled extends RuntimeException {
    public PayloadCancelled(long sent, long size) {
      super("payload stopped after " + sent + " of " + size + " bytes", null, false, false);
    }
  }

  /** Queues raw bytes; completes when they are written. */
  public CompletionStage<Void> write(byte[] bytes) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      writer.execute(() -> {
        try {
          out.write(bytes);
          out.flush();
          done.complete(null);
        } catch (IOException e) {
          done.completeExceptionally(e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      done.completeExceptionally(new IOException("link closed"));
    }
    return done;
  }

  @Override
  public void close() {
    closed = true;
    payloadEpoch++;
    writer.shutdown();
    try {
      resource.close();
    } catch (Exception ignored) {
      // closing anyway
    }
  }
}
