package io.wasmfleet.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A line a board sends. Every reply of the v1 protocol has its own record; anything else
 * (module output, kernel {@code printk}, a line we cannot read) is {@link Console} text, so
 * parsing never throws. Keys a newer board appends are kept in {@code extra} and written back.
 */
public sealed interface DeviceLine {

  /** The line, without its terminating {@code \n}. */
  String format();

  /** Reads one line from a board; never throws. */
  static DeviceLine parse(String line) {
    String text = WireLine.stripEol(line);
    Optional<WireLine> wl = WireLine.tokenize(text);
    if (wl.isEmpty()) {
      return new Console(text);
    }
    WireParams p = wl.get().params();
    try {
      return switch (wl.get().keyword()) {
        case Hello.KEYWORD -> Hello.from(p);
        case LoadReady.KEYWORD -> LoadReady.from(p);
        case LoadOk.KEYWORD -> new LoadOk(
            p.get("warn").orElse(null), p.get("replace_victim").orElse(null),
            p.without(LoadOk.KEYS));
        case LoadErr.KEYWORD -> new LoadErr(
            required(p, "code"), p.get("msg").orElse(null), p.without(LoadErr.KEYS));
        case StartOk.KEYWORD -> new StartOk(p);
        case Result.KEYWORD -> Result.from(p);
        case StopOk.KEYWORD -> new StopOk(required(p, "status"), p.without(StopOk.KEYS));
        case StatusOk.KEYWORD -> StatusOk.from(p);
        case DeviceError.KEYWORD -> new DeviceError(required(p, "code"), p.without(DeviceError.KEYS));
        default -> new Console(text);
      };
    } catch (IllegalArgumentException malformed) {
      return new Console(text);
    }
  }

  private static String required(WireParams p, String key) {
    return p.get(key).orElseThrow(() -> WireFormatException.missing(key));
  }

  private static long number(WireParams p, String key) {
    String text = required(p, key);
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw WireFormatException.invalid(key, text, "expected a number");
    }
  }

  /** {@code HELLO device_id=<id> rtos=Zephyr runtime=WAMR fw_version=1.0.0}: the board booted. */
  record Hello(String deviceId, String rtos, String runtime, String fwVersion, WireParams extra)
      implements DeviceLine {

    static final String KEYWORD = "HELLO";
    static final List<String> KEYS = List.of("device_id", "rtos", "runtime", "fw_version");

    static Hello from(WireParams p) {
      return new Hello(
          required(p, "device_id"), p.get("rtos").orElse(null), p.get("runtime").orElse(null),
          p.get("fw_version").orElse(null), p.without(KEYS));
    }

    @Override
    public String format() {
      return KEYWORD + WireParams.builder()
          .add("device_id", deviceId).add("rtos", rtos).add("runtime", runtime)
          .add("fw_version", fwVersion).addAll(extra).build().format();
    }
  }

  /** {@code LOAD_READY module_id=<id> size=<N> crc32=<hex>}: send the payload now. */
  record LoadReady(String moduleId, long size, int crc32, WireParams extra) implements DeviceLine {

    static final String KEYWORD = "LOAD_READY";
    static final List<String> KEYS = List.of("module_id", "size", "crc32");

    static LoadReady from(WireParams p) {
      return new LoadReady(
          required(p, "module_id"), number(p, "size"),
          Crc32.parseHex("crc32", p.get("crc32").orElse(null)), p.without(KEYS));
    }

    @Override
    public String format() {
      return KEYWORD + WireParams.builder()
          .add("module_id", moduleId).add("size", size).add("crc32", Crc32.hex(crc32))
          .addAll(extra).build().format();
    }
  }

  /** {@code LOAD_OK [warn=VICTIM_IGNORED replace_victim=<id>]}. */
  record LoadOk(String warn, String replaceVictim, WireParams extra) implements DeviceLine {

    static final String KEYWORD = "LOAD_OK";
    static final List<String> KEYS = List.of("warn", "replace_victim");
    public static final String VICTIM_IGNORED = "VICTIM_IGNORED";

    @Override
    public String format() {
      return KEYWORD + WireParams.builder()
          .add("warn", warn).add("replace_victim", replaceVictim).addAll(extra).build().format();
    }
  }

  /** {@code LOAD_ERR code=<CODE> [msg="..."]}; after LOAD_READY the slot is left empty. */
  record LoadErr(String code, String msg, WireParams extra) implements DeviceLine {

    static final String KEYWORD = "LOAD_ERR";
    static final List<String> KEYS = List.of("code", "msg");

    public LoadErr(String code, String msg) {
      this(code, msg, WireParams.EMPTY);
    }

    @Override
    public String format() {
      return KEYWORD + WireParams.builder()
          .add("code", code).quoted("msg", msg).addAll(extra).build().format();
    }
  }

  /** {@code START_OK}: the job runs; its RESULT comes later. */
  record StartOk(WireParams extra) implements DeviceLine {

    static final String KEYWORD = "START_OK";

    @Override
    public String format() {
      return KEYWORD + extra.format();
    }
  }

  /**
   * {@code RESULT status=<S> [forced=1] [module_id=<id>] [func=<f>] [ret_i32=<u32>] [msg="..."]}.
   * {@code retI32} is the signed value of the unsigned number on the wire, or null.
   */
  record Result(
      String status, boolean forced, String moduleId, String func, Integer retI32, String msg,
      WireParams extra) implements DeviceLine {

    static final String KEYWORD = "RESULT";
    static final List<String> KEYS =
        List.of("status", "forced", "module_id", "func", "ret_i32", "msg");

    public static final String OK = "OK";
    public static final String EXCEPTION = "EXCEPTION";
    public static final String STOPPED = "STOPPED";
    public static final String NO_FUNC = "NO_FUNC";
    public static final String NO_EXEC_ENV = "NO_EXEC_ENV";

    static Result from(WireParams p) {
      Integer ret = null;
      Optional<String> text = p.get("ret_i32");
      if (text.isPresent()) {
        try {
          ret = Integer.parseUnsignedInt(text.get());
        } catch (NumberFormatException e) {
          throw WireFormatException.invalid("ret_i32", text.get(), "expected an unsigned 32-bit number");
        }
      }
      return new Result(
          required(p, "status"), p.get("forced").map("1"::equals).orElse(false),
          p.get("module_id").orElse(null), p.get("func").orElse(null), ret,
          p.get("msg").orElse(null), p.without(KEYS));
    }

    public boolean isOk() {
      return OK.equals(status);
    }

    /** {@code elapsed_us=}, which our boards and the simulator append. */
    public OptionalLong elapsedMicros() {
      return longExtra("elapsed_us");
    }

    /** {@code toggles=}, appended for modules that toggled the LED. */
    public OptionalLong toggles() {
      return longExtra("toggles");
    }

    private OptionalLong longExtra(String key) {
      try {
        return extra.get(key).map(v -> OptionalLong.of(Long.parseLong(v))).orElse(OptionalLong.empty());
      } catch (NumberFormatException e) {
        return OptionalLong.empty();
      }
    }

    @Override
    public String format() {
      return KEYWORD + WireParams.builder()
          .add("status", status)
          .add("forced", forced ? "1" : null)
          .add("module_id", moduleId)
          .add("func", func)
          .add("ret_i32", retI32 == null ? null : Integer.toUnsignedString(retI32))
          .quoted("msg", msg)
          .addAll(extra)
          .build()
          .format();
    }
  }

  /** {@code STOP_OK status=NO_JOB|IDLE|PENDING}. */
  record StopOk(String status, WireParams extra) implements DeviceLine {

    static final String KEYWORD = "STOP_OK";
    static final List<String> KEYS = List.of("status");
    public static final String PENDING = "PENDING";

    @Override
    public String format() {
      return KEYWORD + WireParams.builder().add("status", status).addAll(extra).build().format();
    }
  }

  /**
   * {@code STATUS_OK modules="..." low_stack="..." wamr_total=.. wamr_free=.. wamr_used=..
   * wamr_highmark=..}; {@code pool} is null when the board says {@code wamr_heap=NA}.
   */
  record StatusOk(List<ModuleEntry> modules, List<String> lowStack, PoolFigures pool, WireParams extra)
      implements DeviceLine {

    static final String KEYWORD = "STATUS_OK";
    static final List<String> KEYS = List.of(
        "modules", "low_stack", "wamr_total", "wamr_free", "wamr_used", "wamr_highmark", "wamr_heap");
    private static final String NONE = "none";

    /** {@code <id>:<LOADED|RUNNING>:wasm=<bytes>:stack_free=<bytes>}. */
    public record ModuleEntry(String id, String state, long wasmBytes, long stackFree) {

      public boolean running() {
        return "RUNNING".equals(state);
      }

      static ModuleEntry parse(String text) {
        String[] f = text.split(":", -1);
        if (f.length != 4 || !f[2].startsWith("wasm=") || !f[3].startsWith("stack_free=")) {
          throw WireFormatException.invalid("modules", text, "expected id:STATE:wasm=N:stack_free=N");
        }
        try {
          return new ModuleEntry(
              f[0], f[1], Long.parseLong(f[2].substring(5)), Long.parseLong(f[3].substring(11)));
        } catch (NumberFormatException e) {
          throw WireFormatException.invalid("modules", text, "expected numbers");
        }
      }

      String format() {
        return id + ":" + state + ":wasm=" + wasmBytes + ":stack_free=" + stackFree;
      }
    }

    /** The WAMR pool figures, in bytes. */
    public record PoolFigures(long total, long free, long used, long highmark) {}

    public StatusOk {
      modules = List.copyOf(modules);
      lowStack = List.copyOf(lowStack);
    }

    static StatusOk from(WireParams p) {
      List<ModuleEntry> modules = new ArrayList<>();
      for (String entry : list(required(p, "modules"))) {
        modules.add(ModuleEntry.parse(entry));
      }
      List<String> lowStack = list(p.get("low_stack").orElse(NONE));
      PoolFigures pool = null;
      if (!"NA".equals(p.get("wamr_heap").orElse(null))) {
        pool = new PoolFigures(
            number(p, "wamr_total"), number(p, "wamr_free"), number(p, "wamr_used"),
            number(p, "wamr_highmark"));
      }
      return new StatusOk(modules, lowStack, pool, p.without(KEYS));
    }

    private static List<String> list(String text) {
      return text.isEmpty() || NONE.equals(text) ? List.of() : List.of(text.split(","));
    }

    private static String join(List<String> items) {
      return items.isEmpty() ? NONE : String.join(",", items);
    }

    public Optional<ModuleEntry> module(String id) {
      return modules.stream().filter(m -> m.id().equals(id)).findFirst();
    }

    @Override
    public String format() {
      WireParams.Builder b = WireParams.builder()
          .quoted("modules", join(modules.stream().map(ModuleEntry::format).toList()))
          .quoted("low_stack", join(lowStack));
      if (pool == null) {
        b.add("wamr_heap", "NA");
      } else {
        b.add("wamr_total", pool.total()).add("wamr_free", pool.free())
            .add("wamr_used", pool.used()).add("wamr_highmark", pool.highmark());
      }
      return KEYWORD + b.addAll(extra).build().format();
    }
  }

  /** {@code ERROR code=<CODE>}: an unknown command, or a fatal boot problem. */
  record DeviceError(String code, WireParams extra) implements DeviceLine {

    static final String KEYWORD = "ERROR";
    static final List<String> KEYS = List.of("code");
    public static final String UNKNOWN_COMMAND = "UNKNOWN_COMMAND";

    @Override
    public String format() {
      return KEYWORD + WireParams.builder().add("code", code).addAll(extra).build().format();
    }
  }

  /** Anything that is not a protocol reply: module output, kernel messages, noise. */
  record Console(String text) implements DeviceLine {

    @Override
    public String format() {
      return text;
    }
  }
}
