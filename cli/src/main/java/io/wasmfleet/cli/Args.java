package io.wasmfleet.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A parsed command line: the command it names, its option values (given, or the option's
 * default) and positional words, and where to print. A value of the wrong kind is a usage error
 * naming the option.
 */
final class Args {

  final Command command;
  final PrintWriter out;
  final PrintWriter err;
  private final Map<String, String> values;
  private final List<String> words;

  Args(Command command, Map<String, String> values, List<String> words, PrintWriter out, PrintWriter err) {
    this.command = command;
    this.values = values;
    this.words = words;
    this.out = out;
    this.err = err;
  }

  /** The option's value, its default, or null. */
  String string(String option) {
    String v = values.get(option);
    if (v != null) {
      return v;
    }
    Command.Option o = command.option(option);
    if (o == null) {
      throw new IllegalArgumentException(command.path() + " has no option " + option);
    }
    return o.defaultValue();
  }

  boolean flag(String option) {
    return "true".equals(string(option));
  }

  int integer(String option) {
    String v = string(option);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw usage("option " + option + " takes a whole number, got '" + v + "'");
    }
  }

  /** A whole number from {@code min} to {@code max}. */
  int integer(String option, int min, int max) {
    int n = integer(option);
    if (n < min || n > max) {
      throw usage("option " + option + " takes a whole number from " + min + " to " + max + ", got " + n);
    }
    return n;
  }

  double decimal(String option) {
    String v = string(option);
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw usage("option " + option + " takes a number, got '" + v + "'");
    }
  }

  Path path(String option) {
    String v = string(option);
    return v == null ? null : Path.of(v);
  }

  /** The option's value, which must be one of {@code choices}. */
  String choice(String option, String... choices) {
    String v = string(option);
    if (!List.of(choices).contains(v)) {
      throw usage("option " + option + " takes one of " + String.join(", ", choices) + "; got '" + v + "'");
    }
    return v;
  }

  /** The i-th positional word, or null when not given. */
  String word(int i) {
    return i < words.size() ? words.get(i) : null;
  }

  Command.UsageError usage(String message) {
    return new Command.UsageError(command, message);
  }
}
