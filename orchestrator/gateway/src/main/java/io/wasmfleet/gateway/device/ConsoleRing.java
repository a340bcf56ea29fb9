package io.wasmfleet.gateway.device;

import java.util.ArrayDeque;
import java.util.List;

/** The last lines a board printed that answered no command (module output, kernel messages), for {@code console}. */
final class ConsoleRing {

  private final int capacity;
  private final ArrayDeque<String> lines = new ArrayDeque<>();
  private long total;

  ConsoleRing(int capacity) {
    this.capacity = capacity;
  }

  void keep(String line) {
    total++;
    lines.addLast(line);
    while (lines.size() > capacity) {
      lines.removeFirst();
    }
  }

  ConsoleLines of(String board) {
    return new ConsoleLines(board, List.copyOf(lines), total);
  }
}
