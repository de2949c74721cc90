package io.fleetgate.protocol.tcp;

/**
 * One whole frame of the TCP protocol, its envelope checked (magic, length, CRC):
 *
 * <pre>
 * 0xF1 0xEE | u8 type | u16 length (≤ 4096) | payload | u16 CRC-16/CCITT-FALSE over type, length and payload
 * </pre>
 */
public record TcpFrame(int type, byte[] payload) {
  public static final int MAGIC_1 = 0xF1;
  public static final int MAGIC_2 = 0xEE;
  /** magic, type, length. */
  public static final int HEADER_LENGTH = 5;
  public static final int CRC_LENGTH = 2;
  public static final int MAX_PAYLOAD = 4096;

  public static final int LOGIN = 0x01;
  public static final int STATE = 0x02;
  public static final int HEARTBEAT = 0x03;
  public static final int COMMAND_RESULT = 0x04;
  public static final int LOGIN_ACK = 0x81;
  public static final int STATE_ACK = 0x82;
  public static final int HEARTBEAT_ACK = 0x83;
  public static final int COMMAND = 0x84;
  public static final int ERROR = 0x8F;

  /** The whole frame on the wire: envelope, payload and CRC. */
  public byte[] toBytes() {
    byte[] out = new byte[HEADER_LENGTH + payload.length + CRC_LENGTH];
    out[0] = (byte) MAGIC_1;
    out[1] = (byte) MAGIC_2;
    out[2] = (byte) type;
    out[3] = (byte) (payload.length >>> 8);
    out[4] = (byte) payload.length;
    System.arraycopy(payload, 0, out, HEADER_LENGTH, payload.length);
    int crc = Crc16.of(out, 2, 3 + payload.length);
    out[out.length - 2] = (byte) (crc >>> 8);
    out[out.length - 1] = (byte) crc;
    return out;
  }
}
