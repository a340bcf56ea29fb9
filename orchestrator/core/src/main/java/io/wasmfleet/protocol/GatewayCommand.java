package io.wasmfleet.protocol;

import java.util.List;

/**
 * A line the gateway sends to a board. Constructing one validates every value, so a command
 * that exists can be written to the wire as it is: nothing a user typed can add a key, end the
 * line early or smuggle a second command.
 */
public sealed interface GatewayCommand {

  /** The line, without its terminating {@code \n}. */
  String format();

  /**
   * Reads a command line as a board does. Throws {@link WireFormatException} naming the field
   * that is missing or wrong; a line that is no command at all names the field {@code command}.
   */
  static GatewayCommand parse(String line) {
    WireLine wl = WireLine.tokenize(line).orElseThrow(() -> new WireFormatException(
        "command", WireFormatException.Problem.INVALID, "not a command line"));
    WireParams p = wl.params();
    return switch (wl.keyword()) {
      case Load.KEYWORD -> Load.from(p);
      case Start.KEYWORD -> Start.from(p);
      case Stop.KEYWORD -> Stop.from(p);
      case Status.KEYWORD -> new Status(p);
      default -> throw new WireFormatException(
          "command", WireFormatException.Problem.INVALID, "unknown command " + wl.keyword());
    };
  }

  /**
   * {@code LOAD module_id=<id> size=<N> crc32=<hex> [replace=1] [replace_victim=<id>]}. A
   * victim always brings {@code replace=1}: the constructor sets it.
   */
  record Load(
      String moduleId, long size, int crc32, boolean replace, String replaceVictim,
      WireParams extra) implements GatewayCommand {

    static final String KEYWORD = "LOAD";
    private static final List<String> KEYS =
        List.of("module_id", "size", "crc32", "replace", "replace_victim");

    public Load {
      WireValues.requireModuleId("module_id", moduleId);
      if (size <= 0 || size > 0xffff_ffffL) {
        throw WireFormatException.invalid("size", Long.toString(size), "must be 1 or more bytes");
      }
      if (replaceVictim != null) {
        WireValues.requireModuleId("replace_victim", replaceVictim);
        replace = true;
      }
      extra = extra == null ? WireParams.EMPTY : extra;
    }

    public Load(String moduleId, long size, int crc32, boolean replace, String replaceVictim) {
      this(moduleId, size, crc32, replace, replaceVictim, WireParams.EMPTY);
    }

    static Load from(WireParams p) {
      String id = p.get("module_id").orElseThrow(() -> WireFormatException.missing("module_id"));
      long size = WireValues.requirePositiveSize("size", p.get("size").orElse(null));
      int crc = Crc32.parseHex("crc32", p.get("crc32").orElse(null));
      boolean replace = p.get("replace").map("1"::equals).orElse(false);
      return new Load(id, size, crc, replace, p.get("replace_victim").orElse(null), p.without(KEYS));
    }

    @Override
    public String format() {
      return KEYWORD + WireParams.builder()
          .add("module_id", moduleId)
          .add("size", size)
          .add("crc32", Crc32.hex(crc32))
          .add("replace", replace ? "1" : null)
          .add("replace_victim", replaceVictim)
          .addAll(extra)
          .build()
          .format();
    }
  }

  /** {@code START module_id=<id> [func=<export>] [args="a=1,b=2"]}. */
  record Start(String moduleId, String func, StartArgs args, WireParams extra)
      implements GatewayCommand {

    static final String KEYWORD = "START";
    private static final List<String> KEYS = List.of("module_id", "func", "args");

    public Start {
      WireValues.requireModuleId("module_id", moduleId);
      if (func != null) {
        WireValues.requireFunctionName("func", func);
      }
      args = args == null ? StartArgs.NONE : args;
      extra = extra == null ? WireParams.EMPTY : extra;
    }

    public Start(String moduleId, String func, StartArgs args) {
      this(moduleId, func, args, WireParams.EMPTY);
    }

    static Start from(WireParams p) {
      String id = p.get("module_id").orElseThrow(() -> WireFormatException.missing("module_id"));
      return new Start(
          id, p.get("func").orElse(null), StartArgs.parse(p.get("args").orElse(null)),
          p.without(KEYS));
    }

    @Override
    public String format() {
      return KEYWORD + WireParams.builder()
          .add("module_id", moduleId)
          .add("func", func)
          .quoted("args", args.isEmpty() ? null : args.format())
          .addAll(extra)
          .build()
          .format();
    }
  }

  /** {@code STOP module_id=<id>}. */
  record Stop(String moduleId) implements GatewayCommand {

    static final String KEYWORD = "STOP";

    public Stop {
      WireValues.requireModuleId("module_id", moduleId);
    }

    static Stop from(WireParams p) {
      return new Stop(
          p.get("module_id").orElseThrow(() -> WireFormatException.missing("module_id")));
    }

    @Override
    public String format() {
      return KEYWORD + " module_id=" + moduleId;
    }
  }

  /** {@code STATUS}. */
  record Status(WireParams extra) implements GatewayCommand {

    static final String KEYWORD = "STATUS";

    public Status() {
      this(WireParams.EMPTY);
    }

    @Override
    public String format() {
      return KEYWORD + extra.format();
    }
  }
}
