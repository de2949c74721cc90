package io.fleetgate.protocol;

import java.util.HexFormat;

/** Hex frames as captured: spaces are for reading only. */
public final class Hex {
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  private Hex() {}

  public static byte[] bytes(String hex) {
    return HEX.parseHex(hex.replace(" ", ""));
  }

  public static String of(byte[] bytes) {
    return HEX.formatHex(bytes);
  }
}
