package io.wasmfleet.protocol.load2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Module signatures for LOAD v2 (docs/wire-protocol.md): what is signed is the module's 32-byte
 * SHA-256 digest; Ed25519 signs it as its message, ECDSA P-256 signs it with SHA-256, and the
 * signature is 64 bytes (R || S). Keys are PEM files: PKCS#8 private, X.509 public.
 */
public final class ModuleSignature {

  /** The two algorithms, by their name on the wire ({@code sig=}) and in the signature frame. */
  public enum Alg {
    ED25519("ed25519", Load2Frame.ED25519, "Ed25519", "Ed25519"),
    P256("p256", Load2Frame.P256, "EC", "SHA256withECDSAinP1363Format");

    public final String wire;
    public final int code;
    final String keyAlgorithm;
    final String signatureAlgorithm;

    Alg(String wire, int code, String keyAlgorithm, String signatureAlgorithm) {
      this.wire = wire;
      this.code = code;
      this.keyAlgorithm = keyAlgorithm;
      this.signatureAlgorithm = signatureAlgorithm;
    }

    public static Alg of(String wire) {
      for (Alg a : values()) {
        if (a.wire.equals(wire.toLowerCase(Locale.ROOT))) {
          return a;
        }
      }
      throw new IllegalArgumentException("signature algorithm '" + wire + "': ed25519 or p256");
    }

    public static Alg ofCode(int code) {
      for (Alg a : values()) {
        if (a.code == code) {
          return a;
        }
      }
      throw new IllegalArgumentException("signature algorithm code " + code);
    }

    static Alg ofKey(java.security.Key key) {
      return key.getAlgorithm().equals("EC") ? P256 : ED25519;
    }
  }

  private ModuleSignature() {}

  public static KeyPair generate(Alg alg) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance(alg.keyAlgorithm);
    if (alg == Alg.P256) {
      g.initialize(new ECGenParameterSpec("secp256r1"));
    }
    return g.generateKeyPair();
  }

  public static Alg alg(PrivateKey key) {
    return Alg.ofKey(key);
  }

  public static Alg alg(PublicKey key) {
    return Alg.ofKey(key);
  }

  /** The 64-byte signature of {@code module} (over its SHA-256). */
  public static byte[] sign(PrivateKey key, byte[] module) throws GeneralSecurityException {
    Signature s = Signature.getInstance(alg(key).signatureAlgorithm);
    s.initSign(key);
    s.update(sha256(module));
    return s.sign();
  }

  /** True when {@code signature} is {@code key}'s over the module whose SHA-256 is {@code digest}. */
  public static boolean verify(PublicKey key, byte[] digest, byte[] signature) {
    try {
      Signature s = Signature.getInstance(alg(key).signatureAlgorithm);
      s.initVerify(key);
      s.update(digest);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // a malformed signature does not verify
    }
  }

  /** A key's short name in messages: the first 8 hex digits of its encoding's SHA-256. */
  public static String keyId(PublicKey key) {
    return HexFormat.of().formatHex(sha256(key.getEncoded())).substring(0, 8);
  }

  public static byte[] sha256(byte[] bytes) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  public static void writePem(Path file, java.security.Key key) throws IOException {
    String type = key instanceof PrivateKey ? "PRIVATE KEY" : "PUBLIC KEY";
    Files.writeString(file, "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
        + "\n-----END " + type + "-----\n");
  }

  public static PrivateKey readPrivate(Path file) throws IOException {
    byte[] der = pem(file, "PRIVATE KEY");
    for (Alg alg : Alg.values()) {
      try {
        return KeyFactory.getInstance(alg.keyAlgorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the other algorithm
      }
    }
    throw new IOException(file + ": not an Ed25519 or P-256 private key");
  }

  public static PublicKey readPublic(Path file) throws IOException {
    return readPublic(file.toString(), pem(file, "PUBLIC KEY"));
  }

  private static PublicKey readPublic(String name, byte[] der) throws IOException {
    for (Alg alg : Alg.values()) {
      try {
        return KeyFactory.getInstance(alg.keyAlgorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the other algorithm
      }
    }
    throw new IOException(name + ": not an Ed25519 or P-256 public key");
  }

  private static byte[] pem(Path file, String type) throws IOException {
    String text = Files.readString(file);
    int begin = text.indexOf("-----BEGIN " + type + "-----");
    int end = text.indexOf("-----END " + type + "-----");
    if (begin < 0 || end < begin) {
      throw new IOException(file + ": no " + type + " in PEM form");
    }
    String body = text.substring(begin + ("-----BEGIN " + type + "-----").length(), end);
    try {
      return Base64.getMimeDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": its " + type + " is not base64");
    }
  }
}
