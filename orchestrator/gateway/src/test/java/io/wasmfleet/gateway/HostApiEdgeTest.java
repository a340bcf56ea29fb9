package io.wasmfleet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wasmfleet.protocol.Crc32;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The host API's connection handling (a Pekko Streams TCP server, an actor per connection) with
 * clients that misbehave on the socket: they go quiet, send too much, or open too many
 * connections. Every connection still ends with exactly one answer line naming the problem.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostApiEdgeTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private GatewayFixture gw;

  @BeforeAll
  void start() throws Exception {
    gw = GatewayFixture.start(List.of(GatewayFixture.Board.of("b1", "nucleo_f446re")), Map.of(
        "wasmfleet.gateway.api.read-timeout", "2s",
        "wasmfleet.gateway.api.max-request-line", "1 KiB",
        "wasmfleet.gateway.api.max-connections", 3));
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", gw.node.apiPort());
    s.setSoTimeout(20_000);
    return s;
  }

  /** Everything the gateway sends until it closes its side: must be exactly one JSON line. */
  private static JsonNode onlyAnswer(Socket s) throws IOException {
    String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(1, all.lines().count(), all);
    assertTrue(all.endsWith("\n"), all);
    return JSON.readTree(all);
  }

  @Test
  void aClientThatNeverEndsItsLineIsToldSo() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write("{\"cmd\":\"status\",\"device\":\"b1\"}".getBytes(StandardCharsets.UTF_8));
      JsonNode answer = onlyAnswer(s);
      assertFalse(answer.get("ok").asBoolean());
      assertEquals("no complete request line within 2 s", answer.get("error").asText());
    }
  }

  @Test
  void aBlobCutShortIsNamedWithWhatArrived() throws Exception {
    byte[] blob = new byte[100];
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(("{\"cmd\":\"load\",\"device\":\"b1\",\"module_id\":\"m\",\"blob_size\":100,\"blob_crc32\":\""
          + Crc32.hex(Crc32.of(blob)) + "\"}\n").getBytes(StandardCharsets.UTF_8));
      out.write(blob, 0, 10);
      out.flush();
      JsonNode answer = onlyAnswer(s);
      assertEquals("expected 100 bytes after the request line (blob_size), got 10 before the read timeout",
          answer.get("error").asText());
    }
  }

  @Test
  void anOverLongLineIsRefusedAndTheAnswerSurvivesWhatFollows() throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(("{\"cmd\":\"status\",\"device\":\"" + "x".repeat(3000) + "\"}\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      s.shutdownOutput();
      JsonNode answer = onlyAnswer(s);
      assertEquals("the request line is longer than 1024 bytes", answer.get("error").asText());
    }
  }

  @Test
  void bytesAfterTheRequestAreReadNotResetAway() throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(("{\"cmd\":\"status\",\"device\":\"b1\"}\n").getBytes(StandardCharsets.UTF_8));
      out.write(new byte[200_000]); // far more than the request: read and dropped while it is served
      out.flush();
      s.shutdownOutput();
      JsonNode answer = onlyAnswer(s);
      assertTrue(answer.get("ok").asBoolean(), answer.toString());
      assertTrue(answer.get("detail").asText().startsWith("STATUS_OK"), answer.toString());
    }
  }

  /** Every line the gateway sends until it closes its side, as JSON. */
  private static List<JsonNode> allAnswers(Socket s) throws IOException {
    List<JsonNode> answers = new ArrayList<>();
    for (String line : new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
      if (!line.isEmpty()) {
        answers.add(JSON.readTree(line));
      }
    }
    return answers;
  }

  @Test
  void aKeptConnectionServesRequestsOneAfterAnotherAndClosesWhenTheClientDoes() throws Exception {
    byte[] blob = java.util.Arrays.copyOf(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0}, 8);
    try (Socket s = connect()) {
      java.io.BufferedReader in = new java.io.BufferedReader(
          new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = s.getOutputStream();
      out.write("{\"cmd\":\"status\",\"device\":\"b1\",\"keep\":true}\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      JsonNode first = JSON.readTree(in.readLine());
      assertTrue(first.get("detail").asText().startsWith("STATUS_OK"), first.toString());

      // sent back to back in one write: a load with its blob, a start, and a last request
      // without "keep"; each is answered in order on the same connection
      String load = "{\"cmd\":\"load\",\"device\":\"b1\",\"module_id\":\"kept\",\"blob_size\":8,"
          + "\"blob_crc32\":\"" + Crc32.hex(Crc32.of(blob)) + "\",\"keep\":true}\n";
      java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
      burst.write(load.getBytes(StandardCharsets.UTF_8));
      burst.write(blob);
      burst.write("{\"cmd\":\"start\",\"device\":\"b1\",\"module_id\":\"nope\",\"keep\":true}\n"
          .getBytes(StandardCharsets.UTF_8));
      burst.write("{\"cmd\":\"status\",\"device\":\"b1\"}\n".getBytes(StandardCharsets.UTF_8));
      out.write(burst.toByteArray());
      out.flush();
      List<JsonNode> rest = allAnswers(s); // the last request had no "keep": the gateway closes after it
      assertEquals(3, rest.size(), rest.toString());
      assertEquals("LOAD_OK", rest.get(0).get("detail").asText(), "the blob was read as the load's: " + rest.get(0));
      assertTrue(rest.get(1).get("error").asText().startsWith("RESULT status=NO_MODULE"), rest.get(1).toString());
      assertTrue(rest.get(2).get("detail").asText().startsWith("STATUS_OK"), rest.get(2).toString());
    }
  }

  @Test
  void aKeptConnectionEndsQuietlyWhenTheClientClosesOrGoesIdle() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write("{\"cmd\":\"status\",\"device\":\"b1\",\"keep\":true}\n"
          .getBytes(StandardCharsets.UTF_8));
      s.shutdownOutput();
      List<JsonNode> answers = allAnswers(s);
      assertEquals(1, answers.size(), "answered, then closed without a second line: " + answers);
    }
    try (Socket s = connect()) {
      s.getOutputStream().write("{\"cmd\":\"status\",\"device\":\"b1\",\"keep\":true}\n"
          .getBytes(StandardCharsets.UTF_8));
      List<JsonNode> answers = allAnswers(s); // idle past the 2 s read timeout: the gateway closes
      assertEquals(1, answers.size(), answers.toString());
      assertTrue(answers.get(0).get("ok").asBoolean(), answers.toString());
    }
  }

  @Test
  void aKeepThatIsNotABooleanIsNamed() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write("{\"cmd\":\"status\",\"device\":\"b1\",\"keep\":\"yes\"}\n"
          .getBytes(StandardCharsets.UTF_8));
      assertEquals("\"keep\" must be true or false, not \"yes\"", onlyAnswer(s).get("error").asText());
    }
  }

  @Test
  void overMaxConnectionsAConnectionIsAnsweredWithAnErrorAndTheOthersAreServed() throws Exception {
    List<Socket> idle = new ArrayList<>();
    JsonNode refused = null;
    try {
      // connections that have sent half a line: the gateway holds at most three at once; the
      // one over the limit is answered at once (connections of earlier tests may still be closing)
      while (refused == null && idle.size() <= 3) {
        Socket s = connect();
        s.getOutputStream().write("{\"cmd\":".getBytes(StandardCharsets.UTF_8));
        s.setSoTimeout(300); // well inside the 2 s read timeout of an accepted one
        try {
          refused = JSON.readTree(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
          s.close();
        } catch (java.net.SocketTimeoutException accepted) {
          s.setSoTimeout(20_000);
          idle.add(s);
        }
      }
      assertTrue(refused != null, "a connection over max-connections = 3 is refused");
      assertEquals("the gateway serves at most 3 connections at once (host-api max-connections); try again",
          refused.get("error").asText());
      for (Socket s : idle) {
        assertEquals("no complete request line within 2 s", onlyAnswer(s).get("error").asText());
      }
    } finally {
      for (Socket s : idle) {
        s.close();
      }
    }
    // once their clients closed them (the connections' actors then stop), requests are served again
    String[] last = {""};
    Probe.await(10, () -> {
      try {
        var r = gw.client.status("b1");
        last[0] = r.json().toString();
        return r.ok();
      } catch (IOException e) {
        last[0] = e.toString();
        return false;
      }
    }, () -> "a STATUS after the held connections closed: " + last[0]);
  }
}
