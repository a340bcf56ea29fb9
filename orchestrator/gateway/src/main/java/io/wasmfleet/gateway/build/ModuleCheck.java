package io.wasmfleet.gateway.build;

import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import io.wasmfleet.gateway.device.BoardConfig;
import io.wasmfleet.wasm.AotFile;
import io.wasmfleet.wasm.PayloadKind;
import java.util.Optional;

/**
 * Checks a module before a byte of it goes to a board: wasm must parse (Chicory's parser),
 * an AOT file must be built for the board's CPU. Empty when the module may be sent.
 */
public final class ModuleCheck {

  private ModuleCheck() {}

  public static Optional<String> problem(byte[] module, String name, BoardConfig board) {
    String what = name == null || name.isBlank() ? "the module" : "'" + name + "'";
    switch (PayloadKind.of(module)) {
      case WASM -> {
        try {
          Parser.parse(module);
          return Optional.empty();
        } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException e) {
          return Optional.of(what + " is not a valid wasm module: " + e.getMessage());
        }
      }
      case AOT -> {
        try {
          AotFile aot = AotFile.read(module);
          return aot.mismatchFor(board.arch(), board.elfMachine()).map(why -> what + " is an AOT file for "
              + aot.arch() + ", but " + board.id() + " is a " + board.cpu() + " (" + board.arch() + "): " + why
              + "; rebuild with wamrc --target=" + board.arch() + " --cpu=" + board.cpu());
        } catch (AotFile.MalformedAotException e) {
          return Optional.of(what + " is not a valid WAMR AOT file: " + e.getMessage());
        }
      }
      default -> {
        return Optional.of(what + " is neither a wasm module nor a WAMR AOT file (magic header not detected)");
      }
    }
  }
}
