package io.wasmfleet.gateway.device;

import com.typesafe.config.Config;
import io.wasmfleet.protocol.load2.Load2Frame;
import io.wasmfleet.protocol.load2.ModuleSignature;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What signs the modules this gateway loads with LOAD v2: the private key named by
 * {@code wasmfleet.gateway.signing-key} (a PEM file; read once per node), or nobody.
 */
final class ModuleSigner {

  static final ModuleSigner NONE = new ModuleSigner(null);
  private static final Map<String, ModuleSigner> BY_FILE = new ConcurrentHashMap<>();

  private final PrivateKey key;

  private ModuleSigner(PrivateKey key) {
    this.key = key;
  }

  /** The signer the configuration names; an unreadable key stops the board's actor with the reason. */
  static ModuleSigner of(Config config) {
    String file = config.getString("wasmfleet.gateway.signing-key");
    if (file.isEmpty()) {
      return NONE;
    }
    return BY_FILE.computeIfAbsent(file, f -> {
      try {
        return new ModuleSigner(ModuleSignature.readPrivate(Path.of(f)));
      } catch (IOException e) {
        throw new IllegalArgumentException("wasmfleet.gateway.signing-key: " + e.getMessage(), e);
      }
    });
  }

  /** The {@code sig=} a LOAD announces, or null when modules go unsigned. */
  String alg() {
    return key == null ? null : ModuleSignature.alg(key).wire;
  }

  /** The signature frame for {@code module}, or null when modules go unsigned. */
  byte[] frame(byte[] module) {
    if (key == null) {
      return null;
    }
    try {
      return Load2Frame.signature(ModuleSignature.alg(key).code, ModuleSignature.sign(key, module));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing a module failed: " + e.getMessage(), e);
    }
  }
}
