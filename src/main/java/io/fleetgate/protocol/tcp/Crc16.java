package io.fleetgate.protocol.tcp;

import io.netty.buffer.ByteBuf;

/** CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor (check value 0x29B1). */
public final class Crc16 {
  private static final int[] TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int crc = i << 8;
      for (int b = 0; b < 8; b++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      TABLE[i] = crc & 0xFFFF;
    }
  }

  private Crc16() {}

  public static int of(byte[] bytes) {
    return of(bytes, 0, bytes.length);
  }

  public static int of(byte[] bytes, int offset, int length) {
    int crc = 0xFFFF;
    for (int i = offset; i < offset + length; i++) {
      crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ bytes[i]) & 0xFF]) & 0xFFFF;
    }
    return crc;
  }

  /** Over {@code buf[index, index+length)}; the buffer's indices are left alone. */
  public static int of(ByteBuf buf, int index, int length) {
    int crc = 0xFFFF;
    for (int i = index; i < index + length; i++) {
      crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ buf.getByte(i)) & 0xFF]) & 0xFFFF;
    }
    return crc;
  }
}
