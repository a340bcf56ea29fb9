package io.wasmfleet.sim.exec;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Global;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.ValType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A wasm module as a simulated board holds it: parsed (and, in {@link Mode#COMPILED}, turned
 * into JVM bytecode once) by Chicory, instantiated against the firmware's {@code env}
 * functions, and called with WAMR's outcomes and messages.
 */
public final class WasmProgram {

  /** How the simulator executes wasm. */
  public enum Mode {
    /** Chicory's interpreter: stands for WAMR's interpreter. */
    INTERPRETER,
    /** Chicory's compiler to JVM bytecode: stands for WAMR AOT. */
    COMPILED
  }

  /** Why a payload is not a module a board can load; the message is WAMR's wording. */
  public static final class LoadFailure extends Exception {
    LoadFailure(String message) {
      super(message);
    }
  }

  private static final long PAGE = 65536;

  private final WasmModule module;
  private final Mode mode;
  private final Function<Instance, Machine> machine;
  private final byte[] bytes;

  private WasmProgram(WasmModule module, Mode mode, Function<Instance, Machine> machine, byte[] bytes) {
    this.module = module;
    this.mode = mode;
    this.machine = machine;
    this.bytes = bytes;
  }

  public static WasmProgram load(byte[] bytes, Mode mode) throws LoadFailure {
    WasmModule module;
    try {
      module = Parser.parse(bytes);
    } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new LoadFailure("WASM module load failed: " + describe(e));
    }
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imp = module.importSection().getImport(i);
      if (imp.importType() != ExternalType.FUNCTION) {
        throw new LoadFailure("WASM module load failed: unknown import " + imp.module() + "." + imp.name());
      }
    }
    Function<Instance, Machine> machine = null;
    if (mode == Mode.COMPILED) {
      try {
        machine = MachineFactoryCompiler.compile(module);
      } catch (RuntimeException e) {
        throw new LoadFailure("WASM module load failed: " + describe(e));
      }
    }
    return new WasmProgram(module, mode, machine, bytes);
  }

  public Mode mode() {
    return mode;
  }

  /** The exported function's type, if {@code name} is an exported function. */
  public Optional<FunctionType> exportedFunction(String name) {
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      Export e = module.exportSection().getExport(i);
      if (e.name().equals(name) && e.exportType() == ExternalType.FUNCTION) {
        return Optional.of(functionType(e.index()));
      }
    }
    return Optional.empty();
  }

  private FunctionType functionType(int index) {
    int imported = module.importSection().count(ExternalType.FUNCTION);
    if (index < imported) {
      int seen = 0;
      for (int i = 0; i < module.importSection().importCount(); i++) {
        if (module.importSection().getImport(i) instanceof FunctionImport fi && seen++ == index) {
          return module.typeSection().getType(fi.typeIndex());
        }
      }
    }
    return module.functionSection().getFunctionType(index - imported, module.typeSection());
  }

  /**
   * The pool footprint of this module on a board whose firmware gives each instance
   * {@code appHeap} bytes of app heap and each exec env {@code execEnv} bytes (with its wasm
   * stack; see docs/simulator.md): linear memory is shrunk to {@code __heap_base} as WAMR does
   * when the module cannot grow it, and the app heap is added to it.
   */
  public Footprint footprint(long appHeap, long execEnv) {
    int functions = module.functionSection().functionCount();
    int imports = module.importSection().importCount();
    int exports = module.exportSection().exportCount();
    int globals = module.globalSection().globalCount();
    long moduleBytes = 1024
        + 2 * WasmSections.size(bytes, WasmSections.CODE)
        + WasmSections.size(bytes, WasmSections.DATA)
        + 64L * functions
        + 32L * (imports + exports + globals + module.typeSection().typeCount());
    long instanceBytes = 512 + 16L * globals + linearMemory() + appHeap;
    return new Footprint(moduleBytes, instanceBytes, execEnv);
  }

  private long linearMemory() {
    if (module.memorySection().isEmpty() || module.memorySection().get().memoryCount() == 0) {
      return 0;
    }
    long initial = module.memorySection().get().getMemory(0).limits().initialPages() * PAGE;
    Optional<Long> heapBase = exportedGlobalValue("__heap_base");
    if (heapBase.isPresent() && !mayGrowMemory() && heapBase.get() <= initial) {
      return (heapBase.get() + 7) & ~7L;
    }
    return initial;
  }

  private boolean mayGrowMemory() {
    for (FunctionBody body : module.codeSection().functionBodies()) {
      for (Instruction ins : body.instructions()) {
        if (ins.opcode() == OpCode.MEMORY_GROW) {
          return true;
        }
      }
    }
    return false;
  }

  private Optional<Long> exportedGlobalValue(String name) {
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      Export e = module.exportSection().getExport(i);
      if (e.name().equals(name) && e.exportType() == ExternalType.GLOBAL) {
        int index = e.index() - module.importSection().count(ExternalType.GLOBAL);
        if (index < 0 || index >= module.globalSection().globalCount()) {
          return Optional.empty();
        }
        Global g = module.globalSection().getGlobal(index);
        List<Instruction> init = g.initInstructions();
        if (!init.isEmpty() && init.get(0).opcode() == OpCode.I32_CONST) {
          return Optional.of(init.get(0).operand(0) & 0xffff_ffffL);
        }
      }
    }
    return Optional.empty();
  }

  /** A fresh instance whose {@code env} imports call {@code host}; the message is WAMR's. */
  public Instance instantiate(HostCalls host) throws LoadFailure {
    List<ImportFunction> functions = new ArrayList<>();
    for (int i = 0; i < module.importSection().importCount(); i++) {
      if (module.importSection().getImport(i) instanceof FunctionImport fi) {
        functions.add(hostFunction(fi, module.typeSection().getType(fi.typeIndex()), host));
      }
    }
    Instance.Builder builder = Instance.builder(module)
        .withImportValues(ImportValues.builder().withFunctions(functions).build())
        .withMemoryFactory(ByteArrayMemory::new);
    if (machine != null) {
      builder.withMachineFactory(machine);
    }
    try {
      return builder.build();
    } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new LoadFailure("WASM module instantiate failed: " + describe(e));
    }
  }

  private static ImportFunction hostFunction(FunctionImport fi, FunctionType type, HostCalls host) {
    String name = fi.name();
    boolean env = "env".equals(fi.module());
    FunctionType none = FunctionType.empty();
    FunctionType oneInt = FunctionType.of(List.of(ValType.I32), List.of());
    if (env && name.equals("gpio_toggle") && type.typesMatch(none)) {
      return new HostFunction("env", name, type, (inst, args) -> {
        host.gpioToggle();
        return null;
      });
    }
    if (env && name.equals("uart_print") && type.typesMatch(oneInt)) {
      return new HostFunction("env", name, type, (inst, args) -> {
        host.uartPrint(inst.memory().readCString((int) args[0], StandardCharsets.ISO_8859_1));
        return null;
      });
    }
    if (env && name.equals("led_toggle") && type.typesMatch(oneInt)) {
      return new HostFunction("env", name, type, (inst, args) -> {
        host.ledToggle((int) args[0]);
        return null;
      });
    }
    // WAMR loads a module with an unlinked import and traps only when it is called.
    String message = "failed to call unlinked import function (" + fi.module() + ", " + name + ")";
    return new HostFunction(fi.module(), name, type, (inst, args) -> {
      throw new TrapException(message);
    });
  }

  /**
   * Calls {@code func} with the 32-bit {@code args} (as firmware argv cells) and says how it
   * ended. Interrupting the calling thread stops the module: {@link Outcome#stopped()}.
   */
  public static Outcome call(Instance instance, String func, FunctionType type, int[] args) {
    int params = type.params().size();
    if (args.length < params) {
      return Outcome.exception("Exception: invalid argument count " + args.length
          + ", must be no smaller than " + params);
    }
    long[] cells = new long[params];
    for (int i = 0; i < params; i++) {
      ValType t = type.params().get(i);
      cells[i] = t.equals(ValType.I32) || t.equals(ValType.F32) ? args[i] & 0xffff_ffffL : args[i];
    }
    try {
      ExportFunction f = instance.export(func);
      long[] results = f.apply(cells);
      boolean hasResult = results != null && results.length > 0 && !type.returns().isEmpty();
      return Outcome.ok(hasResult ? Integer.valueOf((int) results[0]) : null);
    } catch (ChicoryInterruptedException e) {
      return Outcome.stopped();
    } catch (TrapException e) {
      return Thread.currentThread().isInterrupted()
          ? Outcome.stopped() : Outcome.exception("Exception: " + trapMessage(e.getMessage()));
    } catch (StackOverflowError e) {
      return Outcome.exception("Exception: wasm operand stack overflow");
    } catch (ChicoryException | IllegalStateException | IndexOutOfBoundsException | ArithmeticException e) {
      return Thread.currentThread().isInterrupted()
          ? Outcome.stopped() : Outcome.exception("Exception: " + trapMessage(describe(e)));
    }
  }

  /** Chicory's trap wording to WAMR's. */
  static String trapMessage(String chicory) {
    String m = chicory == null ? "" : chicory;
    String lower = m.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("unreachable")) {
      return "unreachable";
    }
    if (lower.contains("out of bounds memory")) {
      return "out of bounds memory access";
    }
    if (lower.contains("divide by zero")) {
      return "integer divide by zero";
    }
    if (lower.contains("integer overflow")) {
      return "integer overflow";
    }
    if (lower.contains("call stack exhausted")) {
      return "wasm operand stack overflow";
    }
    if (lower.contains("invalid conversion")) {
      return "invalid conversion to integer";
    }
    if (lower.contains("indirect call") || lower.contains("undefined element")) {
      return "undefined element";
    }
    return m;
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
