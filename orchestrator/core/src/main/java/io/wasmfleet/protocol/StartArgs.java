package io.wasmfleet.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The arguments of a START: at most four signed 32-bit integers, written {@code a=1,b=2}. The
 * firmware ignores the names and keeps the order; we keep the names so the line reads back as
 * the user wrote it.
 */
public record StartArgs(List<Arg> args) {

  public static final int MAX = 4;
  public static final StartArgs NONE = new StartArgs(List.of());
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,15}");
  private static final String DEFAULT_NAMES = "abcd";

  /** One argument; {@code name} is what the user wrote (or a, b, c, d). */
  public record Arg(String name, int value) {}

  public StartArgs {
    if (args.size() > MAX) {
      throw new WireFormatException(
          "args", WireFormatException.Problem.INVALID,
          "invalid args: at most " + MAX + " integers, got " + args.size());
    }
    args = List.copyOf(args);
  }

  public static StartArgs of(int... values) {
    List<Arg> list = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      list.add(new Arg(defaultName(i), values[i]));
    }
    return new StartArgs(list);
  }

  /**
   * Reads {@code "a=10,b=15"} (or {@code "10,15"}); null or blank means no arguments. Throws
   * naming the {@code args} field for anything that is not a list of 32-bit integers.
   */
  public static StartArgs parse(String text) {
    if (text == null || text.isBlank()) {
      return NONE;
    }
    String[] parts = text.split(",", -1);
    if (parts.length > MAX) {
      throw new WireFormatException(
          "args", WireFormatException.Problem.INVALID,
          "invalid args '" + text + "': at most " + MAX + " integers, got " + parts.length);
    }
    List<Arg> list = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i].trim();
      int eq = part.indexOf('=');
      String name = eq < 0 ? defaultName(i) : part.substring(0, eq).trim();
      String number = eq < 0 ? part : part.substring(eq + 1).trim();
      if (!NAME.matcher(name).matches()) {
        throw WireFormatException.invalid("args", text, "argument name '" + name + "' is not a plain name");
      }
      try {
        list.add(new Arg(name, Integer.parseInt(number)));
      } catch (NumberFormatException e) {
        throw WireFormatException.invalid(
            "args", text, "'" + number + "' is not a signed 32-bit integer");
      }
    }
    return new StartArgs(list);
  }

  private static String defaultName(int index) {
    return String.valueOf(DEFAULT_NAMES.charAt(index));
  }

  public boolean isEmpty() {
    return args.isEmpty();
  }

  public int size() {
    return args.size();
  }

  public int[] values() {
    return args.stream().mapToInt(Arg::value).toArray();
  }

  /** {@code a=10,b=15}. */
  public String format() {
    StringBuilder b = new StringBuilder();
    for (Arg a : args) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(a.name()).append('=').append(a.value());
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return format();
  }
}
