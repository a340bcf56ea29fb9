package io.wasmfleet.wasm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The target facts of a WAMR {@code .aot} file, read from its header: magic {@code \0aot}, a
 * little-endian u32 version, then the target-info section (section id 0) holding the ELF
 * binary type, machine and the architecture name. Enough to refuse a file built for another
 * CPU before a byte of it reaches a board, exactly as WAMR's loader would.
 */
public record AotFile(int version, int binType, int eType, int eMachine, String arch) {

  /** ELF machine numbers of the targets we meet. */
  public static final int EM_ARM = 0x28;
  public static final int EM_X86_64 = 0x3e;

  private static final int TARGET_INFO_SECTION = 0;
  private static final int E_TYPE_REL = 1;
  private static final int ARCH_OFFSET = 16 + 32;
  private static final int ARCH_LENGTH = 16;

  /** Why a file cannot be read as an AOT file at all. */
  public static final class MalformedAotException extends Exception {
    MalformedAotException(String message) {
      super(message);
    }
  }

  public static AotFile read(byte[] file) throws MalformedAotException {
    if (PayloadKind.of(file) != PayloadKind.AOT) {
      throw new MalformedAotException("magic header not detected");
    }
    if (file.length < ARCH_OFFSET + ARCH_LENGTH) {
      throw new MalformedAotException("unexpected end");
    }
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    int version = b.getInt(4);
    int sectionId = b.getInt(8);
    int sectionSize = b.getInt(12);
    if (sectionId != TARGET_INFO_SECTION || sectionSize < 32 + ARCH_LENGTH
        || 16L + sectionSize > file.length) {
      throw new MalformedAotException("invalid section id or size");
    }
    int binType = Short.toUnsignedInt(b.getShort(16));
    int eType = Short.toUnsignedInt(b.getShort(20));
    int eMachine = Short.toUnsignedInt(b.getShort(22));
    int end = ARCH_OFFSET;
    while (end < ARCH_OFFSET + ARCH_LENGTH && file[end] != 0) {
      end++;
    }
    String arch = new String(file, ARCH_OFFSET, end - ARCH_OFFSET, StandardCharsets.US_ASCII);
    return new AotFile(version, binType, eType, eMachine, arch);
  }

  public boolean bigEndian() {
    return (binType & 1) != 0;
  }

  public boolean is64Bit() {
    return (binType & 2) != 0;
  }

  /**
   * Why a board whose CPU is {@code boardArch} (a 32-bit little-endian target such as
   * {@code thumbv7em}) refuses this file, in the order WAMR checks; empty when it accepts it.
   */
  public Optional<String> mismatchFor(String boardArch, int boardMachine) {
    if (bigEndian()) {
      return Optional.of("invalid target endian type, expected little endian but got big endian");
    }
    if (is64Bit()) {
      return Optional.of("invalid target bit width, expected 32-bit but got 64-bit");
    }
    if (eType != E_TYPE_REL) {
      return Optional.of(
          "invalid object file type, expected relocatable file type but got others");
    }
    if (eMachine != boardMachine || !arch.startsWith(archFamily(boardArch))) {
      return Optional.of(
          "invalid target architecture, expected " + boardArch + " but got " + arch);
    }
    return Optional.empty();
  }

  /** thumbv7em and thumbv7em-hard share a family; so do armv7 variants. */
  private static String archFamily(String arch) {
    return arch.startsWith("thumb") ? "thumb" : arch.startsWith("arm") ? "arm" : arch;
  }
}
