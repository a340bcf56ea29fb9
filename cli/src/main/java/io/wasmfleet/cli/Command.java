package io.wasmfleet.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One command of {@code bin/host} as plain data: its options, positional parameters,
 * subcommands and what it runs; and the parser that turns a command line into {@link Args}.
 * Built in code, without reflection or annotations, so the JVM's start-up cache holds every
 * class it needs (picocli's Java 5 class files could not be cached and its model building took
 * 125-150 ms of each run).
 *
 * <p>The root command's options are global: they may come before or after the subcommand.
 */
final class Command {

  /** What a command runs once its line is parsed: the exit status. */
  interface Action {
    int run(Args args) throws Exception;
  }

  /** An option: a flag when {@code label} is null, otherwise it takes a value. */
  record Option(String name, String shortName, String label, String defaultValue, boolean required,
      String description) {

    boolean isFlag() {
      return label == null;
    }

    boolean takesPath() {
      return label != null && (label.contains("FILE") || label.contains("DIR"));
    }

    String names() {
      return (shortName != null ? shortName + ", " : "    ") + name + (isFlag() ? "" : " " + label);
    }
  }

  /** A positional parameter. */
  record Positional(String label, boolean required) {}

  /** A command line that cannot run as given; exit status 2. */
  static final class UsageError extends RuntimeException {
    final Command command;

    UsageError(Command command, String message) {
      super(message);
      this.command = command;
    }
  }

  final String name;
  final String description;
  final List<String> aliases = new ArrayList<>();
  final List<Option> options = new ArrayList<>();
  final List<Positional> positionals = new ArrayList<>();
  final List<Command> subcommands = new ArrayList<>();
  final List<String> footer = new ArrayList<>();
  Command parent;
  Action action;

  Command(String name, String description) {
    this.name = name;
    this.description = description;
  }

  Command alias(String alias) {
    aliases.add(alias);
    return this;
  }

  /** A flag, {@code "--follow"} or {@code "-f|--follow"}. */
  Command flag(String names, String description) {
    return add(names, null, null, false, description);
  }

  /** An option with a value and no default. */
  Command option(String names, String label, String description) {
    return add(names, label, null, false, description);
  }

  /** An option with a value and a default ({@code %s} in the description shows it). */
  Command option(String names, String label, String defaultValue, String description) {
    return add(names, label, defaultValue, false, description.formatted(defaultValue));
  }

  Command required(String names, String label, String description) {
    return add(names, label, null, true, description);
  }

  Command positional(String label, boolean required) {
    positionals.add(new Positional(label, required));
    return this;
  }

  Command sub(Command command) {
    command.parent = this;
    subcommands.add(command);
    return this;
  }

  Command footer(String... lines) {
    footer.addAll(List.of(lines));
    return this;
  }

  Command runs(Action action) {
    this.action = action;
    return this;
  }

  private Command add(String names, String label, String defaultValue, boolean required, String description) {
    int bar = names.indexOf('|');
    options.add(new Option(bar < 0 ? names : names.substring(bar + 1), bar < 0 ? null : names.substring(0, bar),
        label, defaultValue, required, description));
    return this;
  }

  Command root() {
    return parent == null ? this : parent.root();
  }

  /** "host campaign run". */
  String path() {
    return parent == null ? name : parent.path() + " " + name;
  }

  Command subcommand(String word) {
    for (Command c : subcommands) {
      if (c.name.equals(word) || c.aliases.contains(word)) {
        return c;
      }
    }
    return null;
  }

  Option option(String word) {
    for (Option o : options) {
      if (o.name.equals(word) || word.equals(o.shortName)) {
        return o;
      }
    }
    return parent == null ? null : root().option(word);
  }

  List<String> subcommandNames() {
    return subcommands.stream().map(c -> c.name).toList();
  }

  /**
   * Parses {@code argv} from this (root) command and runs what it names: its action, its help,
   * or the version. Exit status 2 with a message naming the problem on a usage error; 1 with the
   * message when the action fails.
   */
  int execute(String[] argv, PrintWriter out, PrintWriter err, String version) {
    Command at = this;
    try {
      Map<String, String> values = new HashMap<>();
      List<String> words = new ArrayList<>();
      for (int i = 0; i < argv.length; i++) {
        String arg = argv[i];
        if (arg.equals("-h") || arg.equals("--help")) {
          out.print(Help.of(at));
          return 0;
        }
        if (at == this && (arg.equals("-V") || arg.equals("--version"))) {
          out.println(version);
          return 0;
        }
        if (arg.startsWith("-") && arg.length() > 1) {
          int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
          String word = eq > 0 ? arg.substring(0, eq) : arg;
          Option o = at.option(word);
          if (o == null) {
            throw new UsageError(at, "unknown option '" + word + "'");
          }
          if (o.isFlag()) {
            if (eq > 0) {
              throw new UsageError(at, "option '" + word + "' takes no value");
            }
            values.put(o.name, "true");
          } else if (eq > 0) {
            values.put(o.name, arg.substring(eq + 1));
          } else if (i + 1 < argv.length) {
            values.put(o.name, argv[++i]);
          } else {
            throw new UsageError(at, "option '" + word + "' needs a value (" + o.label + ")");
          }
        } else if (words.isEmpty() && at.subcommand(arg) != null) {
          at = at.subcommand(arg);
        } else if (words.size() < at.positionals.size()) {
          words.add(arg);
        } else if (!at.subcommands.isEmpty() && words.isEmpty()) {
          throw new UsageError(at, "no command '" + arg + "'; the commands are " + String.join(", ", at.subcommandNames()));
        } else {
          throw new UsageError(at, "unexpected argument '" + arg + "'");
        }
      }
      if (at.action == null) {
        throw new UsageError(at, "give a command: " + String.join(", ", at.subcommandNames()));
      }
      for (Option o : at.options) {
        if (o.required && !values.containsKey(o.name)) {
          throw new UsageError(at, "missing option " + o.name + " " + o.label);
        }
      }
      for (int i = words.size(); i < at.positionals.size(); i++) {
        if (at.positionals.get(i).required) {
          throw new UsageError(at, "missing " + at.positionals.get(i).label);
        }
      }
      return at.action.run(new Args(at, values, words, out, err));
    } catch (UsageError e) {
      err.println(e.command.path() + ": " + e.getMessage());
      err.println("Try '" + e.command.path() + " --help'.");
      return 2;
    } catch (Exception e) {
      err.println(name + ": " + e.getMessage());
      return 1;
    } finally {
      out.flush();
      err.flush();
    }
  }
}
