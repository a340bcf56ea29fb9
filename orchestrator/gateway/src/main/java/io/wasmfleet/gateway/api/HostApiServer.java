package io.wasmfleet.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host API's TCP transport: one connection per request, one JSON line (plus a blob) in,
 * exactly one JSON line out, then the connection closes. Requests run on a bounded pool of
 * connection threads, never on actor threads.
 */
public final class HostApiServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HostApiServer.class);

  private final ServerSocket server;
  private final ExecutorService connections;
  private final HostApi api;
  private final ApiSettings settings;
  private final ObjectMapper json;
  private volatile boolean closed;

  private HostApiServer(ServerSocket server, HostApi api, ApiSettings settings, ObjectMapper json) {
    this.server = server;
    this.api = api;
    this.settings = settings;
    this.json = json;
    this.connections = new ThreadPoolExecutor(settings.maxConnections(), settings.maxConnections(), 30,
        TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "host-api");
          t.setDaemon(true);
          return t;
        });
    ((ThreadPoolExecutor) connections).allowCoreThreadTimeOut(true);
  }

  public static HostApiServer start(ApiSettings settings, HostApi api, ObjectMapper json) throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    try {
      socket.bind(new InetSocketAddress(InetAddress.getByName(settings.host()), settings.port()));
    } catch (IOException e) {
      socket.close();
      throw new IOException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
    }
    HostApiServer s = new HostApiServer(socket, api, settings, json);
    Thread acceptor = new Thread(s::acceptLoop, "host-api-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return s;
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
        Socket s = server.accept();
        connections.execute(() -> serve(s));
      } catch (IOException e) {
        if (!closed) {
          log.warn("host API: accept failed: {}", e.getMessage());
        }
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setSoTimeout((int) settings.readTimeout().toMillis());
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      ObjectNode answer;
      String line = null;
      try {
        line = readLine(in);
        answer = line == null ? HostApi.error("empty request: expected one JSON object on one line")
            : api.handle(line, in, new HostApi.Events() {
              private volatile boolean open = true;

              @Override
              public void accept(ObjectNode event) {
                open = open && writeLine(out, event);
              }

              @Override
              public boolean open() {
                return open;
              }
            });
      } catch (java.net.SocketTimeoutException e) {
        answer = HostApi.error("no complete request line within " + settings.readTimeout().toSeconds() + " s");
      } catch (RequestLineTooLong e) {
        answer = HostApi.error(e.getMessage());
      }
      writeLine(out, answer);
      socket.shutdownOutput();
      drain(in);
    } catch (IOException e) {
      log.debug("host API connection ended: {}", e.getMessage());
    }
  }

  /** One JSON line, at once: fleet operations stream their progress this way. */
  private boolean writeLine(OutputStream out, ObjectNode line) {
    synchronized (out) {
      try {
        out.write((json.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return true;
      } catch (IOException e) {
        log.debug("host API: the client went away: {}", e.getMessage());
        return false;
      }
    }
  }

  /** Reads what the client still sends (an unread blob), so closing does not reset the answer away. */
  private void drain(InputStream in) {
    byte[] buf = new byte[8192];
    long left = settings.maxBlob() + settings.maxRequestLine();
    try {
      int n;
      while (left > 0 && (n = in.read(buf)) >= 0) {
        left -= n;
      }
    } catch (IOException ignored) {
      // the client went away: fine
    }
  }

  private static final class RequestLineTooLong extends IOException {
    RequestLineTooLong(String message) {
      super(message);
    }
  }

  private String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        return line.toString(StandardCharsets.UTF_8).strip();
      }
      if (line.size() >= settings.maxRequestLine()) {
        throw new RequestLineTooLong("the request line is longer than " + settings.maxRequestLine() + " bytes");
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8).strip();
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    connections.shutdownNow();
  }
}
