package io.fleetgate.protocol.tcp;

import io.fleetgate.protocol.CommandResult;
import io.fleetgate.protocol.binary.BinaryStateEncoder;
import io.fleetgate.protocol.tcp.TcpMessage.Command;
import io.fleetgate.protocol.tcp.TcpMessage.Error;
import io.fleetgate.protocol.tcp.TcpMessage.Heartbeat;
import io.fleetgate.protocol.tcp.TcpMessage.HeartbeatAck;
import io.fleetgate.protocol.tcp.TcpMessage.Login;
import io.fleetgate.protocol.tcp.TcpMessage.LoginAck;
import io.fleetgate.protocol.tcp.TcpMessage.Result;
import io.fleetgate.protocol.tcp.TcpMessage.State;
import io.fleetgate.protocol.tcp.TcpMessage.StateAck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A {@link TcpMessage} to its whole frame (envelope, payload, CRC), both directions. Pure.
 *
 * @throws IllegalArgumentException for a message the frame cannot carry (a command without a code, a unit
 *     id over 255 bytes, a payload over 4096 bytes, a state the binary payload cannot carry)
 */
public final class TcpMessageEncoder {
  private TcpMessageEncoder() {}

  public static byte[] encode(TcpMessage message) {
    ByteBuf p = Unpooled.buffer(64);
    int type = payload(message, p);
    if (p.readableBytes() > TcpFrame.MAX_PAYLOAD) {
      throw new IllegalArgumentException("payload of " + p.readableBytes() + " bytes > " + TcpFrame.MAX_PAYLOAD);
    }
    byte[] payload = new byte[p.readableBytes()];
    p.readBytes(payload);
    return new TcpFrame(type, payload).toBytes();
  }

  /** Length of a whole STATE_ACK frame. */
  public static final int STATE_ACK_LENGTH = TcpFrame.HEADER_LENGTH + 4 + TcpFrame.CRC_LENGTH;

  /**
   * Appends a whole STATE_ACK frame to {@code out}, the same bytes as {@code encode(new StateAck(seq))}
   * without a message, payload array or frame object: the one frame the gateway writes per state frame.
   */
  public static void writeStateAck(ByteBuf out, long seq) {
    int start = out.writerIndex();
    out.writeByte(TcpFrame.MAGIC_1).writeByte(TcpFrame.MAGIC_2).writeByte(TcpFrame.STATE_ACK).writeShort(4).writeInt((int) seq);
    out.writeShort(Crc16.of(out, start + 2, 1 + 2 + 4));
  }

  /** Writes the payload of {@code message} into {@code p}; returns the frame type. */
  private static int payload(TcpMessage message, ByteBuf p) {
    if (message instanceof Login l) {
      shortString(p, l.unitId());
      shortString(p, l.password());
      return TcpFrame.LOGIN;
    } else if (message instanceof LoginAck a) {
      p.writeByte(a.status());
      return TcpFrame.LOGIN_ACK;
    } else if (message instanceof State s) {
      BinaryStateEncoder.encode(s.frame(), p);
      return TcpFrame.STATE;
    } else if (message instanceof StateAck a) {
      p.writeInt((int) a.seq());
      return TcpFrame.STATE_ACK;
    } else if (message instanceof Heartbeat) {
      return TcpFrame.HEARTBEAT;
    } else if (message instanceof HeartbeatAck) {
      return TcpFrame.HEARTBEAT_ACK;
    } else if (message instanceof Command c) {
      int code = CommandCodes.code(c.name());
      if (code < 0) {
        throw new IllegalArgumentException("no TCP command code for " + c.name());
      }
      p.writeLong(c.id().getMostSignificantBits()).writeLong(c.id().getLeastSignificantBits());
      p.writeByte(code).writeLong(c.expiresAtMs());
      return TcpFrame.COMMAND;
    } else if (message instanceof Result r) {
      CommandResult result = r.result();
      p.writeLong(result.id().getMostSignificantBits()).writeLong(result.id().getLeastSignificantBits());
      p.writeByte(statusCode(result.status()));
      byte[] detail = result.detail() == null ? new byte[0] : result.detail().getBytes(StandardCharsets.UTF_8);
      if (detail.length > 0xFFFF) {
        throw new IllegalArgumentException("detail of " + detail.length + " bytes");
      }
      p.writeShort(detail.length).writeBytes(detail);
      if (r.state() != null) {
        BinaryStateEncoder.encode(r.state(), p);
      }
      return TcpFrame.COMMAND_RESULT;
    } else if (message instanceof Error e) {
      p.writeByte(e.code());
      return TcpFrame.ERROR;
    }
    throw new IllegalArgumentException("unknown message " + message);
  }

  private static int statusCode(String status) {
    return switch (status) {
      case CommandResult.SUCCEEDED -> 0;
      case CommandResult.FAILED -> 1;
      case CommandResult.REJECTED -> 2;
      default -> throw new IllegalArgumentException("status " + status);
    };
  }

  private static void shortString(ByteBuf p, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 255) {
      throw new IllegalArgumentException(b.length + "-byte string, at most 255");
    }
    p.writeByte(b.length).writeBytes(b);
  }
}
