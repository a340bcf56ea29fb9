package io.wasmfleet.sim.board;

import io.wasmfleet.protocol.DeviceLine.LoadErr;
import io.wasmfleet.protocol.GatewayCommand.Load;
import io.wasmfleet.protocol.WireParams;
import io.wasmfleet.protocol.load2.Load2Frame;
import io.wasmfleet.protocol.load2.Load2Receiver;
import io.wasmfleet.protocol.load2.ModuleSignature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Locale;
import java.util.Optional;

/**
 * What a LOAD v2 board ({@code load2 = on}) does besides v1's LOAD, as our firmware core does
 * (docs/wire-protocol.md, "LOAD v2"): it reads a LOAD's v2 keys, keeps what an idle upload left
 * (its bytes and its block of the pool) for a LOAD of the same module to resume, and checks a
 * whole module's digest and signature against the profile's {@code signing-key}. Used from the
 * board's stepping thread only.
 */
final class Load2Uploads {

  static final int MAX_CHUNK = 2048;
  static final int WINDOW = 8;

  /** A LOAD's v2 keys, checked. */
  record Ask(String sha256, int chunk, boolean signed) {

    Load2Receiver receiver(Load load, Held held) {
      return new Load2Receiver(load.moduleId(), (int) load.size(), sha256, chunk, WINDOW, signed,
          held == null ? new byte[0] : held.bytes());
    }

    /** LOAD_READY's v2 keys. */
    WireParams readyKeys(Held held) {
      return WireParams.builder().add("chunk", chunk).add("window", WINDOW)
          .add("offset", held == null ? 0 : held.bytes().length).build();
    }
  }

  /** What an idle upload left: its bytes and, as the firmware core keeps its payload buffer, its pool block. */
  record Held(String moduleId, String sha256, long size, byte[] bytes, WamrPool.Block block) {}

  private final BoardProfile profile;
  private final PublicKey verifyKey;
  private Held held;

  Load2Uploads(String boardId, BoardProfile profile) {
    this.profile = profile;
    this.verifyKey = readKey(boardId, profile.signingKey());
  }

  private static PublicKey readKey(String boardId, String file) {
    if (file.isEmpty()) {
      return null;
    }
    try {
      return ModuleSignature.readPublic(Path.of(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("board " + boardId + ": signing-key " + e.getMessage(), e);
    }
  }

  /**
   * The LOAD's v2 keys, when this board speaks v2 and the LOAD asks for it; else null. A
   * malformed key throws IllegalArgumentException naming it (answered BAD_PARAMS msg="sha256").
   */
  Ask ask(Load load) {
    Optional<String> sha = load.extra().get("sha256");
    Optional<String> chunk = load.extra().get("chunk");
    if (!profile.load2() || sha.isEmpty() || chunk.isEmpty()) {
      return null;
    }
    if (!sha.get().matches("[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException("sha256");
    }
    int c;
    try {
      c = Integer.parseInt(chunk.get());
    } catch (NumberFormatException e) {
      c = -1;
    }
    if (c < 64 || c > 4096) {
      throw new IllegalArgumentException("chunk");
    }
    return new Ask(sha.get().toLowerCase(Locale.ROOT), Math.min(c, MAX_CHUNK), load.extra().get("sig").isPresent());
  }

  /** The LOAD_ERR UNSIGNED for a LOAD without a signature on a board that requires one; else null. */
  String unsigned(Ask ask) {
    return profile.requireSignature() && (ask == null || !ask.signed())
        ? new LoadErr("UNSIGNED", "signature required (key " + keyName() + ")").format() : null;
  }

  /**
   * What was held for {@code load}, when it resumes that upload (same module, digest and size);
   * else null, and what was held is let go (another upload starts).
   */
  Held resume(Load load, Ask ask) {
    Held h = held;
    held = null;
    if (h == null) {
      return null;
    }
    if (ask != null && h.moduleId().equals(load.moduleId()) && h.sha256().equals(ask.sha256()) && h.size() == load.size()) {
      return h;
    }
    h.block().free();
    return null;
  }

  /** An upload went idle: its bytes (and block) are held when any arrived; true if they were. */
  boolean hold(Load load, Load2Receiver v2, WamrPool.Block block) {
    if (v2.offset() == 0) {
      return false;
    }
    held = new Held(load.moduleId(), sha256(load), load.size(), v2.kept(), block);
    return true;
  }

  /** A reboot: the pool is new, and nothing is held. */
  void reboot() {
    held = null;
  }

  /** The whole module's check: its digest, then its signature when the board has a key; the LOAD_ERR, or null. */
  String verify(Load2Receiver v2) {
    String bad = v2.verify();
    if (bad != null || v2.signature() == null || verifyKey == null) {
      return bad;
    }
    ModuleSignature.Alg alg = ModuleSignature.Alg.ofCode(v2.signature().alg());
    if (alg != ModuleSignature.alg(verifyKey)
        || !ModuleSignature.verify(verifyKey, ModuleSignature.sha256(v2.module()), v2.signature().signature())) {
      return new LoadErr("BAD_SIGNATURE", alg.wire + " signature does not verify with key " + keyName()).format();
    }
    return null;
  }

  static String sha256(Load load) {
    return load.extra().get("sha256").map(h -> h.toLowerCase(Locale.ROOT)).orElse("");
  }

  private String keyName() {
    return verifyKey == null ? "none" : ModuleSignature.keyId(verifyKey);
  }

  /**
   * An upload's bytes cut into lines as the firmware's framer cuts them: a line that begins with
   * 0xA5 (a frame) ends at {@code \n} only, any other line at {@code \n} or {@code \r}.
   */
  static final class Lines {
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final int max;
    private int first;

    Lines(int chunk) {
      this.max = 2 * (chunk + Load2Frame.OVERHEAD);
    }

    /** Takes one byte; returns a frame line (without its end) when the byte ends one, else null. */
    byte[] take(int b) {
      if (line.size() == 0) {
        first = b;
      }
      if (b != '\n' && (b != '\r' || first == Load2Frame.MARK)) {
        if (line.size() <= max) {
          line.write(b); // past that it is no frame of ours: it fails its check whole
        }
        return null;
      }
      byte[] ended = line.toByteArray();
      line.reset();
      // a line that is not a frame (a STATUS sent meanwhile, say) is dropped: no activity of the upload
      return ended.length == 0 || (ended[0] & 0xFF) != Load2Frame.MARK ? null : ended;
    }
  }
}
