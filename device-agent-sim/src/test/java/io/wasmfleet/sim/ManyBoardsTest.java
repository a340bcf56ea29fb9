package io.wasmfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One process hosts hundreds of boards without a thread per board or per connection: the
 * boards' firmware shares a few threads and their TCP bridges one selector.
 */
class ManyBoardsTest {

  private static final int BOARDS = 300;

  @Test
  void threeHundredConnectedBoardsAnswerOnAHandfulOfThreads() throws Exception {
    // start the shared threads first, so the count below is what the boards add
    try (SimBoards.Started warm = SimBoards.start("nucleo_f446re", java.util.Map.of());
        WireClient c = warm.connect()) {
      c.send("STATUS");
      assertTrue(c.nextText().startsWith("HELLO"));
    }
    int before = ManagementFactory.getThreadMXBean().getThreadCount();
    List<BoardSpec> specs = new ArrayList<>();
    for (int i = 0; i < BOARDS; i++) {
      specs.add(new BoardSpec(String.format("many-%03d", i), i % 2 == 0 ? "nucleo_f446re" : "nucleo_f746zg",
          0, null, ConfigFactory.empty(), ConfigFactory.empty()));
    }
    List<Socket> sockets = new ArrayList<>();
    try (BoardFarm farm = BoardFarm.start(ConfigFactory.load(), specs)) {
      for (BoardFarm.Running r : farm.boards()) {
        String endpoint = r.endpoint();
        Socket s = new Socket("127.0.0.1", Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1)));
        sockets.add(s);
        s.getOutputStream().write("STATUS\n".getBytes(StandardCharsets.US_ASCII));
      }
      int answered = 0;
      for (int i = 0; i < BOARDS; i++) {
        BufferedReader in = new BufferedReader(new InputStreamReader(sockets.get(i).getInputStream(), StandardCharsets.US_ASCII));
        assertEquals("HELLO device_id=" + specs.get(i).id(), in.readLine().split(" rtos=")[0]);
        if (in.readLine().startsWith("STATUS_OK modules=\"none\"")) {
          answered++;
        }
      }
      int during = ManagementFactory.getThreadMXBean().getThreadCount();
      assertEquals(BOARDS, answered, "every board answered its STATUS");
      assertTrue(during - before < 10, BOARDS + " connected boards added " + (during - before)
          + " threads (before " + before + ", with the boards " + during + ")");
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
