package io.wasmfleet.cli;

import java.util.ArrayList;
import java.util.List;

/** A command's {@code --help} text, and the bash completion script for the whole tree. */
final class Help {

  private Help() {}

  static String of(Command c) {
    StringBuilder s = new StringBuilder("Usage: ").append(c.path());
    if (!c.options.isEmpty() || c.parent != null) {
      s.append(" [OPTIONS]");
    }
    for (Command.Positional p : c.positionals) {
      s.append(p.required() ? " " + p.label() : " [" + p.label() + "]");
    }
    if (!c.subcommands.isEmpty()) {
      s.append(" COMMAND");
    }
    s.append('\n').append(c.description).append('\n');
    List<String[]> rows = new ArrayList<>();
    c.options.forEach(o -> rows.add(row(o)));
    rows.add(new String[] {"-h, --help", "Show this help."});
    if (c.parent == null) {
      rows.add(new String[] {"-V, --version", "Show the version."});
    }
    table(s, "Options:", rows);
    if (c.parent != null) {
      table(s, "Options of " + c.root().name + " (before or after the command):",
          c.root().options.stream().map(Help::row).toList());
    }
    table(s, "Commands:", c.subcommands.stream().map(sub -> new String[] {sub.name
        + (sub.aliases.isEmpty() ? "" : " (" + String.join(", ", sub.aliases) + ")"), sub.description}).toList());
    c.footer.forEach(line -> s.append(line).append('\n'));
    return s.toString();
  }

  private static String[] row(Command.Option o) {
    return new String[] {o.names(), o.description() + (o.required() ? " Required." : "")};
  }

  private static void table(StringBuilder s, String title, List<String[]> rows) {
    if (rows.isEmpty()) {
      return;
    }
    int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0) + 2;
    s.append('\n').append(title).append('\n');
    for (String[] r : rows) {
      s.append("  ").append(r[0]).append(" ".repeat(width - r[0].length())).append(r[1]).append('\n');
    }
  }

  /**
   * Bash (and zsh's bashcompinit) completion: {@code source <(host generate-completion)}.
   * Completes commands, and options after a '-', at every level, and file names after an option that takes a
   * file or a directory.
   */
  static String completion(Command root) {
    StringBuilder walk = new StringBuilder();
    StringBuilder words = new StringBuilder();
    List<String> pathOptions = new ArrayList<>();
    visit(root, walk, words, pathOptions);
    return """
        # bash completion for %1$s; load it with: source <(%1$s generate-completion)
        _%1$s() {
          local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} at=%1$s i
          for ((i = 1; i < COMP_CWORD; i++)); do
            case "$at ${COMP_WORDS[i]}" in
        %2$s    esac
          done
          case "$prev" in
            %3$s) COMPREPLY=($(compgen -f -- "$cur")); return ;;
          esac
          local commands="" options=""
          case "$at" in
        %4$s  esac
          if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$options" -- "$cur"))
          else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
          fi
        }
        complete -F _%1$s %1$s bin/%1$s ./bin/%1$s
        """.formatted(root.name, walk, pathOptions.isEmpty() ? "--none--" : String.join("|", pathOptions), words);
  }

  private static void visit(Command c, StringBuilder walk, StringBuilder words, List<String> pathOptions) {
    List<String> offered = new ArrayList<>();
    for (Command.Option o : c.parent == null ? c.options : concat(c.options, c.root().options)) {
      offered.add(o.name());
      if (o.takesPath() && !pathOptions.contains(o.name())) {
        pathOptions.add(o.name());
      }
    }
    offered.add("--help");
    words.append("    \"").append(c.path()).append("\") commands=\"").append(String.join(" ", c.subcommandNames()))
        .append("\" options=\"").append(String.join(" ", offered)).append("\" ;;\n");
    for (Command sub : c.subcommands) {
      List<String> names = new ArrayList<>(List.of(sub.name));
      names.addAll(sub.aliases);
      for (String n : names) {
        walk.append("      \"").append(c.path()).append(' ').append(n).append("\") at=\"").append(sub.path())
            .append("\" ;;\n");
      }
      visit(sub, walk, words, pathOptions);
    }
  }

  private static List<Command.Option> concat(List<Command.Option> a, List<Command.Option> b) {
    List<Command.Option> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
