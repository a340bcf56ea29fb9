package io.wasmfleet.gateway.device;

import io.wasmfleet.gateway.CborSerializable;
import java.util.List;

/**
 * The last console lines a board printed (module output, kernel messages, lines that answered
 * nothing); {@code total} counts every line ever kept, so a follower prints only new ones.
 */
public record ConsoleLines(String board, List<String> lines, long total) implements CborSerializable {}
