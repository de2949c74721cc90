package io.fleetgate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/** Signing keys made fresh for a test and written as PKCS#8 PEM files (no key is ever committed). */
public final class TestKeys {
  private TestKeys() {}

  public static KeyPair ecP256() {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"));
      return gen.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(bits);
      return gen.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The private key as {@code -----BEGIN PRIVATE KEY-----} PEM text. */
  public static String pkcs8Pem(KeyPair pair) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded());
    return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
  }

  /** Writes the PEM to a file in {@code dir}. */
  public static Path write(Path dir, String name, KeyPair pair) throws IOException {
    return Files.writeString(dir.resolve(name), pkcs8Pem(pair));
  }
}
