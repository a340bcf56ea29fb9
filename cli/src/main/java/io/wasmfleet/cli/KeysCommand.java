package io.wasmfleet.cli;

import io.wasmfleet.protocol.load2.Load2Receiver;
import io.wasmfleet.protocol.load2.ModuleSignature;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.util.HexFormat;

/** {@code host keys ...}: module signing keys for LOAD v2 (docs/wire-protocol.md). No gateway needed. */
final class KeysCommand {

  private KeysCommand() {}

  static Command command() {
    return new Command("keys", "Make a module signing key pair, or sign a module (LOAD v2 signatures).")
        .sub(new Command("gen", "Write a new key pair: DIR/module-signing.key (private) and .pub (public).")
            .required("--out", "DIR", "Where to write the two PEM files.")
            .option("--alg", "ed25519|p256", "ed25519", "The algorithm (default: %s).")
            .runs(KeysCommand::gen))
        .sub(new Command("sign", "Print a module's signature (over its SHA-256) with a private key.")
            .required("--key", "FILE", "The private key (PEM).")
            .required("--wasm", "FILE", "The module (.wasm or .aot).")
            .runs(KeysCommand::sign))
        .sub(new Command("show", "Name a public key, and print it as our Zephyr app is provisioned with it.")
            .required("--pub", "FILE", "The public key (PEM).")
            .runs(KeysCommand::show))
        .footer("", "Examples:",
            "  host keys gen --out ~/.wasmfleet",
            "  host keys sign --key ~/.wasmfleet/module-signing.key --wasm build/wasm/math_ops.wasm",
            "  host keys show --pub ~/.wasmfleet/module-signing.pub",
            "The gateway signs what it loads with wasmfleet.gateway.signing-key = <the .key file>;",
            "a board verifies with the .pub file (simulator profile: signing-key, require-signature;",
            "agent-host --signing-key; our Zephyr app: the line keys show prints, P-256 only).");
  }

  private static int gen(Args a) throws Exception {
    ModuleSignature.Alg alg;
    try {
      alg = ModuleSignature.Alg.of(a.string("--alg"));
    } catch (IllegalArgumentException e) {
      throw a.usage(e.getMessage());
    }
    Path dir = a.path("--out");
    Files.createDirectories(dir);
    Path priv = dir.resolve("module-signing.key");
    Path pub = dir.resolve("module-signing.pub");
    if (Files.exists(priv)) {
      throw a.usage(priv + " exists; a key is never overwritten (choose another --out)");
    }
    KeyPair pair = ModuleSignature.generate(alg);
    Files.createFile(priv, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    ModuleSignature.writePem(priv, pair.getPrivate());
    ModuleSignature.writePem(pub, pair.getPublic());
    a.out.println("private key: " + priv + " (for the gateway: wasmfleet.gateway.signing-key)");
    a.out.println("public key:  " + pub + " (for the boards)");
    a.out.println("key " + ModuleSignature.keyId(pair.getPublic()) + ", " + alg.wire);
    return 0;
  }

  private static int show(Args a) throws Exception {
    PublicKey key = ModuleSignature.readPublic(a.path("--pub"));
    ModuleSignature.Alg alg = ModuleSignature.alg(key);
    a.out.println("key " + ModuleSignature.keyId(key) + ", " + alg.wire);
    if (key instanceof ECPublicKey ec) {
      a.out.println("CONFIG_AGENT_SIGNING_KEY=\"04" + hex32(ec.getW().getAffineX()) + hex32(ec.getW().getAffineY()) + "\"");
    } else {
      a.out.println("(our Zephyr app checks P-256 signatures only: Zephyr's PSA crypto has no Ed25519;"
          + " agent-host and the simulator take this key)");
    }
    return 0;
  }

  /** A coordinate of P-256 as 32 bytes in hex. */
  private static String hex32(BigInteger v) {
    byte[] b = v.toByteArray(); // big-endian, perhaps with a sign byte or shorter
    byte[] out = new byte[32];
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, 32 - n, n);
    return HexFormat.of().formatHex(out);
  }

  private static int sign(Args a) throws Exception {
    PrivateKey key = ModuleSignature.readPrivate(a.path("--key"));
    byte[] module = DeployCommand.read(a, a.path("--wasm"), "--wasm");
    byte[] signature = ModuleSignature.sign(key, module);
    a.out.println("sig=" + ModuleSignature.alg(key).wire + " sha256=" + Load2Receiver.sha256Hex(module)
        + " signature=" + HexFormat.of().formatHex(signature));
    return 0;
  }
}
