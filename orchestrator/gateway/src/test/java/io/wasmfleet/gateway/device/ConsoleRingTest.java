package io.wasmfleet.gateway.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What `bin/host console` shows of a board: its last lines, and a count a follower prints new lines by. */
class ConsoleRingTest {

  @Test
  void keepsTheLastLinesAndCountsEveryLine() {
    ConsoleRing ring = new ConsoleRing(3);
    assertEquals(new ConsoleLines("b1", List.of(), 0), ring.of("b1"));
    for (int i = 1; i <= 5; i++) {
      ring.keep("line " + i);
    }
    // the oldest lines are gone; total still counts them, so a follower that saw 4 prints only "line 5"
    assertEquals(new ConsoleLines("b1", List.of("line 3", "line 4", "line 5"), 5), ring.of("b1"));
  }

  @Test
  void aSnapshotDoesNotChangeWithLaterLines() {
    ConsoleRing ring = new ConsoleRing(2);
    ring.keep("a");
    ConsoleLines before = ring.of("b1");
    ring.keep("b");
    ring.keep("c");
    assertEquals(List.of("a"), before.lines());
    assertEquals(1, before.total());
  }
}
