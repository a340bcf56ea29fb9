package io.wasmfleet.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The real wamrc outputs in testdata/aot are told apart as a board would. */
class AotFileTest {

  static Path testdata(String name) {
    return BuiltModules.repositoryRoot().resolve("testdata/aot").resolve(name);
  }

  static AotFile read(String name) throws Exception {
    return AotFile.read(Files.readAllBytes(testdata(name)));
  }

  @Test
  void cortexFilesAreThumbForArm() throws Exception {
    for (String name : new String[] {"add-cortex-m4.aot", "add-cortex-m7.aot",
        "toggle-cortex-m4.aot", "toggle-cortex-m7.aot"}) {
      AotFile aot = read(name);
      assertEquals("thumbv7em", aot.arch(), name);
      assertEquals(AotFile.EM_ARM, aot.eMachine(), name);
      assertEquals(6, aot.version(), name);
      assertEquals(Optional.empty(), aot.mismatchFor("thumbv7em", AotFile.EM_ARM), name);
    }
  }

  @Test
  void anX86FileIsRefusedByACortexBoard() throws Exception {
    AotFile aot = read("add-x86_64.aot");
    assertEquals("x86_64", aot.arch());
    assertEquals(AotFile.EM_X86_64, aot.eMachine());
    assertTrue(aot.is64Bit());
    assertEquals(Optional.of("invalid target bit width, expected 32-bit but got 64-bit"),
        aot.mismatchFor("thumbv7em", AotFile.EM_ARM));
  }

  @Test
  void payloadKinds() throws Exception {
    assertEquals(PayloadKind.AOT, PayloadKind.of(Files.readAllBytes(testdata("add-cortex-m4.aot"))));
    assertEquals(PayloadKind.WASM, PayloadKind.of(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0}));
    assertEquals(PayloadKind.UNKNOWN, PayloadKind.of("int main(){}".getBytes()));
    assertEquals(PayloadKind.UNKNOWN, PayloadKind.of(new byte[] {0, 'a'}));
  }

  @Test
  void truncatedAndForeignFilesAreMalformed() throws Exception {
    byte[] full = Files.readAllBytes(testdata("add-cortex-m4.aot"));
    byte[] cut = java.util.Arrays.copyOf(full, 20);
    assertEquals("unexpected end",
        assertThrows(AotFile.MalformedAotException.class, () -> AotFile.read(cut)).getMessage());
    assertEquals("magic header not detected",
        assertThrows(AotFile.MalformedAotException.class,
            () -> AotFile.read("hello".getBytes())).getMessage());
  }
}
