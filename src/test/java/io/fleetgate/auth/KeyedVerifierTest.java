package io.fleetgate.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestKeys;
import io.fleetgate.auth.KeyedVerifier.Check;
import io.fleetgate.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The keyed unit verifiers and where their key comes from; every branch a login can take. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeyedVerifierTest {
  static final String PASSWORD = "unit-password-0123";

  @TempDir
  Path dir;

  @Test
  void matchMismatchAndNoneAreTold() throws Exception {
    KeyedVerifier keyed = new KeyedVerifier(keyFile("a"));
    String v = keyed.derive("UNIT-1", PASSWORD);
    assertEquals(Check.MATCH, keyed.check("UNIT-1", PASSWORD, v));
    assertEquals(Check.MISMATCH, keyed.check("UNIT-1", PASSWORD + "x", v));
    assertEquals(Check.MISMATCH, keyed.check("UNIT-2", PASSWORD, v), "a verifier is bound to its unit: no swapping rows");
    assertEquals(Check.NONE, keyed.check("UNIT-1", PASSWORD, null), "a row older than verifiers");
    assertEquals(Check.NONE, keyed.check("UNIT-1", PASSWORD, "$argon2id$v=19$m=64,t=1,p=1$x$y"));
    assertEquals(Check.NONE, keyed.check("UNIT-1", PASSWORD, v.substring(0, v.lastIndexOf('$') + 1) + "!!not base64!!"));
  }

  @Test
  void aVerifierUnderAnotherKeyIsNoneNotAMismatch() throws Exception {
    String v = new KeyedVerifier(keyFile("a")).derive("UNIT-1", PASSWORD);
    KeyedVerifier other = new KeyedVerifier(keyFile("b"));
    // a key change must fall back to Argon2 (NONE), not refuse the right password (MISMATCH)
    assertEquals(Check.NONE, other.check("UNIT-1", PASSWORD, v));
    assertEquals(Check.NONE, other.check("UNIT-1", "wrong-password-99", v));
    assertNotEquals(v, other.derive("UNIT-1", PASSWORD));
    // the same key from the same file makes the same verifiers (what a restart relies on)
    assertEquals(Check.MATCH, new KeyedVerifier(VerifierKey.load(dir.resolve("a").toString(), null)).check("UNIT-1", PASSWORD, v));
  }

  @Test
  void theVerifierRevealsNeitherKeyNorPassword() throws Exception {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    Files.writeString(dir.resolve("k"), Base64.getEncoder().encodeToString(raw) + "\n");
    String v = new KeyedVerifier(VerifierKey.load(dir.resolve("k").toString(), null)).derive("UNIT-1", PASSWORD);
    assertTrue(v.startsWith("hv1$"));
    assertFalse(v.contains(PASSWORD));
    assertFalse(v.contains(Base64.getEncoder().withoutPadding().encodeToString(raw)));
    assertFalse(v.contains(HexFormat.of().formatHex(raw)));
  }

  @Test
  void keyDerivedFromJwtKeyIsStableAndDiffersPerJwtKey() throws Exception {
    Path jwt1 = TestKeys.write(dir, "jwt1.pem", TestKeys.ecP256());
    Path jwt2 = TestKeys.write(dir, "jwt2.pem", TestKeys.ecP256());
    VerifierKey a = VerifierKey.load(null, jwt1.toString());
    assertTrue(a.persistent());
    assertEquals("derived from jwt.key", a.source());
    assertArrayEquals(a.bytes(), VerifierKey.load(null, jwt1.toString()).bytes());
    assertFalse(java.util.Arrays.equals(a.bytes(), VerifierKey.load(null, jwt2.toString()).bytes()));
    // hash.verifierKey wins over jwt.key
    keyFile("c");
    VerifierKey own = VerifierKey.load(dir.resolve("c").toString(), jwt1.toString());
    assertEquals("hash.verifierKey", own.source());
    assertFalse(java.util.Arrays.equals(a.bytes(), own.bytes()));
  }

  @Test
  void withoutKeysTheKeyIsEphemeral() {
    VerifierKey k = VerifierKey.load(null, null);
    assertFalse(k.persistent());
    assertFalse(java.util.Arrays.equals(k.bytes(), VerifierKey.load(null, null).bytes()));
  }

  @Test
  void aBadKeyFileStopsStartUpWithOneLineNamingTheSetting() throws Exception {
    Path shortKey = dir.resolve("short");
    Files.writeString(shortKey, Base64.getEncoder().encodeToString(new byte[31]));
    Path notBase64 = dir.resolve("text");
    Files.writeString(notBase64, "this is a passphrase, not a key: 0123456789abcdef");
    for (Path bad : new Path[] {shortKey, notBase64, dir.resolve("missing")}) {
      ConfigException e = assertThrows(ConfigException.class, () -> VerifierKey.load(bad.toString(), null));
      assertTrue(e.getMessage().startsWith("hash.verifierKey (FLEETGATE_HASH_VERIFIER_KEY): "), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
    assertTrue(assertThrows(ConfigException.class, () -> VerifierKey.load(shortKey.toString(), null)).getMessage()
        .contains("at least 32 random bytes in base64"));
  }

  /** A fresh random key in file {@code name} (base64, as {@code openssl rand -base64 32} writes it). */
  private VerifierKey keyFile(String name) throws Exception {
    Path p = dir.resolve(name);
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    Files.writeString(p, Base64.getEncoder().encodeToString(raw) + "\n");
    return VerifierKey.load(p.toString(), null);
  }
}
