package io.wasmfleet.hostapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmfleet.protocol.Crc32;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A host API v1 client, as {@code shared/reference/host-api-v1.md} describes the seed's: one
 * TCP connection per request, one JSON line (plus the blob) out, one JSON line back.
 * {@link Response#e2eMillis()} is the time from sending the request to receiving the answer.
 */
public final class HostApiClient {

  /** The gateway's answer and how long it took. */
  public record Response(JsonNode json, double e2eMillis) {

    public boolean ok() {
      return json.path("ok").asBoolean(false);
    }

    public String detail() {
      return json.path("detail").asText(null);
    }

    public String error() {
      return json.path("error").asText(null);
    }
  }

  /** Told how the upload goes: bytes of the blob sent so far, then that the answer is awaited. */
  public interface Progress {
    Progress NONE = new Progress() {};

    default void sent(long bytes, long total) {}

    default void awaitingAnswer() {}
  }

  private static final int CHUNK = 16 * 1024;

  private final String host;
  private final int port;
  private final Duration timeout;

  public HostApiClient(String host, int port, Duration timeout) {
    this.host = host;
    this.port = port;
    this.timeout = timeout;
  }

  public static ObjectNode request(String cmd, String device) {
    ObjectNode r = JsonLines.object();
    r.put("cmd", cmd);
    if (device != null) {
      r.put("device", device);
    }
    return r;
  }

  /** The {@code load} request for {@code blob} (sent after it). */
  public static ObjectNode loadRequest(String device, String moduleId, byte[] blob, String blobName, boolean replace,
      String victim) {
    ObjectNode r = request("load", device);
    r.put("module_id", moduleId);
    r.put("blob_size", blob.length);
    r.put("blob_crc32", Crc32.hex(Crc32.of(blob)));
    if (blobName != null) {
      r.put("blob_name", blobName);
    }
    return withReplace(r, replace, victim);
  }

  /** The {@code build_and_load} request for the C {@code source} (sent after it). */
  public static ObjectNode buildAndLoadRequest(String device, String moduleId, byte[] source, String sourceName,
      String mode, boolean replace, String victim) {
    ObjectNode r = request("build_and_load", device);
    r.put("module_id", moduleId);
    r.put("mode", mode);
    r.put("source_size", source.length);
    r.put("source_crc32", Crc32.hex(Crc32.of(source)));
    if (sourceName != null) {
      r.put("source_name", sourceName);
    }
    return withReplace(r, replace, victim);
  }

  private static ObjectNode withReplace(ObjectNode r, boolean replace, String victim) {
    r.put("replace", replace);
    if (victim != null) {
      r.put("replace_victim", victim);
    }
    return r;
  }

  public static ObjectNode startRequest(String device, String moduleId, String func, String args, boolean waitResult,
      double resultTimeoutSeconds) {
    ObjectNode r = request("start", device);
    r.put("module_id", moduleId);
    if (func != null) {
      r.put("func_name", func);
    }
    if (args != null) {
      r.put("func_args", args);
    }
    r.put("wait_result", waitResult);
    r.put("result_timeout", resultTimeoutSeconds);
    return r;
  }

  public static ObjectNode stopRequest(String device, String moduleId, double resultTimeoutSeconds) {
    ObjectNode r = request("stop", device);
    r.put("module_id", moduleId);
    r.put("result_timeout", resultTimeoutSeconds);
    return r;
  }

  public Response status(String device) throws IOException {
    return send(request("status", device), null);
  }

  public Response load(String device, String moduleId, byte[] blob, String blobName, boolean replace, String victim)
      throws IOException {
    return send(loadRequest(device, moduleId, blob, blobName, replace, victim), blob);
  }

  public Response buildAndLoad(String device, String moduleId, byte[] source, String sourceName, String mode,
      boolean replace, String victim) throws IOException {
    return send(buildAndLoadRequest(device, moduleId, source, sourceName, mode, replace, victim), source);
  }

  public Response start(String device, String moduleId, String func, String args, boolean waitResult,
      double resultTimeoutSeconds) throws IOException {
    return send(startRequest(device, moduleId, func, args, waitResult, resultTimeoutSeconds), null);
  }

  public Response stop(String device, String moduleId, double resultTimeoutSeconds) throws IOException {
    return send(stopRequest(device, moduleId, resultTimeoutSeconds), null);
  }

  /** Sends one request (and its blob, if any) and reads the one-line answer. */
  public Response send(ObjectNode request, byte[] blob) throws IOException {
    return send(request, blob, Progress.NONE);
  }

  /** As {@link #send(ObjectNode, byte[])}, telling {@code progress} how the upload goes. */
  public Response send(ObjectNode request, byte[] blob, Progress progress) throws IOException {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      long start = System.nanoTime();
      out.write((JsonLines.write(request) + "\n").getBytes(StandardCharsets.UTF_8));
      if (blob != null) {
        for (int off = 0; off < blob.length; off += CHUNK) {
          int len = Math.min(CHUNK, blob.length - off);
          out.write(blob, off, len);
          progress.sent(off + len, blob.length);
        }
      }
      out.flush();
      progress.awaitingAnswer();
      String line;
      try {
        line = readLine(new BufferedInputStream(s.getInputStream()));
      } catch (SocketTimeoutException e) {
        throw new IOException("no answer from the gateway at " + host + ":" + port + " within "
            + timeout.toSeconds() + " s");
      }
      double e2e = (System.nanoTime() - start) / 1e6;
      if (line == null || line.isBlank()) {
        throw new IOException("the gateway at " + host + ":" + port + " closed the connection without an answer");
      }
      return new Response(JsonLines.read(line), e2e);
    }
  }

  /**
   * Sends a v2 request that streams: every line but the last goes to {@code onEvent} as it
   * arrives; the last line is the answer.
   */
  public Response sendStreaming(ObjectNode request, byte[] blob, Progress progress,
      java.util.function.Consumer<JsonNode> onEvent) throws IOException {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      long start = System.nanoTime();
      out.write((JsonLines.write(request) + "\n").getBytes(StandardCharsets.UTF_8));
      if (blob != null) {
        out.write(blob);
        progress.sent(blob.length, blob.length);
      }
      out.flush();
      progress.awaitingAnswer();
      InputStream in = new BufferedInputStream(s.getInputStream());
      JsonNode last = null;
      String line;
      try {
        while (!(line = readLine(in)).isEmpty()) {
          JsonNode node = JsonLines.read(line);
          if (last != null) {
            onEvent.accept(last);
          }
          last = node;
        }
      } catch (SocketTimeoutException e) {
        throw new IOException("no answer from the gateway at " + host + ":" + port + " within "
            + timeout.toSeconds() + " s");
      }
      if (last == null) {
        throw new IOException("the gateway at " + host + ":" + port + " closed the connection without an answer");
      }
      return new Response(last, (System.nanoTime() - start) / 1e6);
    }
  }

  /**
   * A connection to the gateway. "localhost" is taken as the loopback address (RFC 6761) without
   * asking the resolver, which costs a one-request client 10-15 ms of its life; if nothing
   * listens there, the name is resolved after all (a gateway bound to ::1 only).
   */
  private Socket connect() throws IOException {
    int connectTimeout = (int) Math.min(timeout.toMillis(), 10_000);
    Socket s = new Socket();
    try {
      if (host.equalsIgnoreCase("localhost")) {
        try {
          s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), connectTimeout);
        } catch (ConnectException e) {
          s.close();
          s = new Socket();
          s.connect(new InetSocketAddress(host, port), connectTimeout);
        }
      } else {
        s.connect(new InetSocketAddress(host, port), connectTimeout);
      }
      s.setSoTimeout((int) timeout.toMillis());
      s.setTcpNoDelay(true);
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      line.write(b);
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}
