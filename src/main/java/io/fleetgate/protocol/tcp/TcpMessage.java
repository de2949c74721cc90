package io.fleetgate.protocol.tcp;

import io.fleetgate.protocol.CommandResult;
import io.fleetgate.vehicle.StateFrame;
import java.util.UUID;

/** The payload of a TCP frame, by type. Decoded by {@link TcpMessageDecoder}, written by {@link TcpMessageEncoder}. */
public sealed interface TcpMessage {

  /** unit → gateway, first frame: {@code u8 n, unit id, u8 m, password}. */
  record Login(String unitId, String password) implements TcpMessage {}

  /** gateway → unit: {@code u8 status}. */
  record LoginAck(int status) implements TcpMessage {
    public static final int OK = 0;
    public static final int BAD_CREDENTIALS = 1;
    public static final int UNSUPPORTED_VERSION = 2;
  }

  /** unit → gateway: a binary state payload, validated. */
  record State(StateFrame frame) implements TcpMessage {}

  /** gateway → unit: {@code u32 seq} of an applied STATE. */
  record StateAck(long seq) implements TcpMessage {}

  record Heartbeat() implements TcpMessage {}

  record HeartbeatAck() implements TcpMessage {}

  /** gateway → unit: {@code 16 bytes id, u8 code, u64 expires_at ms}; {@code name} as in {@link CommandCodes}. */
  record Command(UUID id, String name, long expiresAtMs) implements TcpMessage {}

  /**
   * unit → gateway: {@code 16 bytes id, u8 status, u16 k, detail, [binary state payload]}. {@code state} is
   * null when the result carried none; {@code result.readings()} are its readings.
   */
  record Result(CommandResult result, StateFrame state) implements TcpMessage {}

  /** gateway → unit: {@code u8 code}. */
  record Error(int code) implements TcpMessage {
    public static final int BAD_FRAME = 1;
    public static final int NOT_LOGGED_IN = 2;
    public static final int RATE_LIMITED = 3;
  }
}
