package io.wasmfleet.protocol.load2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasmfleet.protocol.load2.ModuleSignature.Alg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.junit.jupiter.api.Test;

class ModuleSignatureTest {

  @Test
  void bothAlgorithmsSignAndVerifyThroughPemFiles() throws Exception {
    byte[] module = "\0asm a module".getBytes();
    for (Alg alg : Alg.values()) {
      KeyPair pair = ModuleSignature.generate(alg);
      Path dir = Files.createTempDirectory("keys");
      ModuleSignature.writePem(dir.resolve("k.key"), pair.getPrivate());
      ModuleSignature.writePem(dir.resolve("k.pub"), pair.getPublic());
      PrivateKey priv = ModuleSignature.readPrivate(dir.resolve("k.key"));
      PublicKey pub = ModuleSignature.readPublic(dir.resolve("k.pub"));
      assertEquals(alg, ModuleSignature.alg(priv));
      byte[] sig = ModuleSignature.sign(priv, module);
      assertEquals(64, sig.length, alg + ": R || S");
      byte[] digest = ModuleSignature.sha256(module);
      assertTrue(ModuleSignature.verify(pub, digest, sig), alg.wire);
      byte[] other = ModuleSignature.sha256("\0asm another".getBytes());
      assertFalse(ModuleSignature.verify(pub, other, sig), alg + ": another module");
      sig[5] ^= 1;
      assertFalse(ModuleSignature.verify(pub, digest, sig), alg + ": a damaged signature");
      assertFalse(ModuleSignature.verify(ModuleSignature.generate(alg).getPublic(), digest,
          ModuleSignature.sign(priv, module)), alg + ": another key");
      assertEquals(8, ModuleSignature.keyId(pub).length());
    }
  }

  @Test
  void aFileThatIsNotAKeySaysSo() throws Exception {
    Path f = Files.createTempFile("not", ".pem");
    Files.writeString(f, "hello");
    assertTrue(assertThrows(IOException.class, () -> ModuleSignature.readPublic(f)).getMessage()
        .endsWith(": no PUBLIC KEY in PEM form"));
    assertEquals("signature algorithm 'rsa': ed25519 or p256",
        assertThrows(IllegalArgumentException.class, () -> Alg.of("rsa")).getMessage());
  }
}
