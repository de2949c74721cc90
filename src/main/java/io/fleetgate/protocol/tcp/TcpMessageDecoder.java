package io.fleetgate.protocol.tcp;

import io.fleetgate.protocol.CommandResult;
import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.FrameException.Reason;
import io.fleetgate.protocol.binary.BinaryStateDecoder;
import io.fleetgate.protocol.tcp.TcpMessage.Command;
import io.fleetgate.protocol.tcp.TcpMessage.Error;
import io.fleetgate.protocol.tcp.TcpMessage.Heartbeat;
import io.fleetgate.protocol.tcp.TcpMessage.HeartbeatAck;
import io.fleetgate.protocol.tcp.TcpMessage.Login;
import io.fleetgate.protocol.tcp.TcpMessage.LoginAck;
import io.fleetgate.protocol.tcp.TcpMessage.Result;
import io.fleetgate.protocol.tcp.TcpMessage.State;
import io.fleetgate.protocol.tcp.TcpMessage.StateAck;
import io.fleetgate.vehicle.StateFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * A whole {@link TcpFrame} to its {@link TcpMessage}, both directions (the gateway reads unit frames, the
 * simulator gateway frames). A payload that does not match its type's layout, or a state payload that is
 * invalid, is a {@link FrameException}; an unknown type a {@link TcpFrameException}. Pure.
 */
public final class TcpMessageDecoder {
  private TcpMessageDecoder() {}

  public static TcpMessage decode(TcpFrame frame, long nowMs) {
    ByteBuf p = Unpooled.wrappedBuffer(frame.payload());
    return switch (frame.type()) {
      case TcpFrame.LOGIN -> login(p);
      case TcpFrame.LOGIN_ACK -> new LoginAck(exactlyOneByte(p, "LOGIN_ACK"));
      case TcpFrame.STATE -> new State(BinaryStateDecoder.decode(p, 0, p.readableBytes(), nowMs));
      case TcpFrame.STATE_ACK -> {
        length(p, 4, "STATE_ACK");
        yield new StateAck(p.getUnsignedInt(0));
      }
      case TcpFrame.HEARTBEAT -> {
        length(p, 0, "HEARTBEAT");
        yield new Heartbeat();
      }
      case TcpFrame.HEARTBEAT_ACK -> {
        length(p, 0, "HEARTBEAT_ACK");
        yield new HeartbeatAck();
      }
      case TcpFrame.COMMAND -> command(p);
      case TcpFrame.COMMAND_RESULT -> result(p, nowMs);
      case TcpFrame.ERROR -> new Error(exactlyOneByte(p, "ERROR"));
      default -> throw new TcpFrameException(TcpFrameException.Reason.UNKNOWN_TYPE,
          String.format("type 0x%02X", frame.type()));
    };
  }

  private static Login login(ByteBuf p) {
    String unitId = shortString(p, "unit id");
    String password = shortString(p, "password");
    if (p.isReadable()) {
      throw new FrameException(Reason.TRAILING_BYTES, p.readableBytes() + " bytes after the LOGIN password");
    }
    return new Login(unitId, password);
  }

  private static String shortString(ByteBuf p, String what) {
    need(p, 1, what + " length");
    int n = p.readUnsignedByte();
    need(p, n, what);
    return utf8(p, n, what);
  }

  private static Command command(ByteBuf p) {
    length(p, 16 + 1 + 8, "COMMAND");
    UUID id = new UUID(p.readLong(), p.readLong());
    int code = p.readUnsignedByte();
    String name = CommandCodes.name(code);
    if (name == null) {
      throw new FrameException(Reason.OUT_OF_RANGE, "command code " + code);
    }
    return new Command(id, name, p.readLong());
  }

  private static Result result(ByteBuf p, long nowMs) {
    need(p, 16 + 1 + 2, "COMMAND_RESULT header");
    UUID id = new UUID(p.readLong(), p.readLong());
    int code = p.readUnsignedByte();
    String status = switch (code) {
      case 0 -> CommandResult.SUCCEEDED;
      case 1 -> CommandResult.FAILED;
      case 2 -> CommandResult.REJECTED;
      default -> throw new FrameException(Reason.OUT_OF_RANGE, "result status " + code);
    };
    int k = p.readUnsignedShort();
    need(p, k, "detail");
    String detail = k == 0 ? null : utf8(p, k, "detail");
    StateFrame state = p.isReadable()
        ? BinaryStateDecoder.decode(p, p.readerIndex(), p.readableBytes(), nowMs)
        : null;
    return new Result(new CommandResult(id, status, detail, state == null ? List.of() : state.readings()), state);
  }

  private static int exactlyOneByte(ByteBuf p, String what) {
    length(p, 1, what);
    return p.getUnsignedByte(0);
  }

  private static void length(ByteBuf p, int expected, String what) {
    if (p.readableBytes() < expected) {
      throw new FrameException(Reason.TRUNCATED, what + " needs " + expected + " bytes, got " + p.readableBytes());
    }
    if (p.readableBytes() > expected) {
      throw new FrameException(Reason.TRAILING_BYTES, what + " has " + expected + " bytes, got " + p.readableBytes());
    }
  }

  private static void need(ByteBuf p, int n, String what) {
    if (p.readableBytes() < n) {
      throw new FrameException(Reason.TRUNCATED, what + " needs " + n + " bytes, " + p.readableBytes() + " left");
    }
  }

  /** Strict UTF-8: malformed bytes are a bad frame, not replacement characters. */
  private static String utf8(ByteBuf p, int n, String what) {
    byte[] bytes = new byte[n];
    p.readBytes(bytes);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new FrameException(Reason.WRONG_TYPE, what + " is not UTF-8");
    }
  }
}
