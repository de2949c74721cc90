package io.fleetgate.protocol.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetgate.protocol.CommandResult;
import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.Hex;
import io.fleetgate.protocol.tcp.TcpMessage.Command;
import io.fleetgate.protocol.tcp.TcpMessage.Error;
import io.fleetgate.protocol.tcp.TcpMessage.Heartbeat;
import io.fleetgate.protocol.tcp.TcpMessage.HeartbeatAck;
import io.fleetgate.protocol.tcp.TcpMessage.Login;
import io.fleetgate.protocol.tcp.TcpMessage.LoginAck;
import io.fleetgate.protocol.tcp.TcpMessage.Result;
import io.fleetgate.protocol.tcp.TcpMessage.State;
import io.fleetgate.protocol.tcp.TcpMessage.StateAck;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** One line per hex frame: the contract's examples, every frame type decoded, and every encoder by exact hex. */
class TcpCodecTest {
  static final long NOW = 1_795_255_200_000L; // 2026-11-21T10:00:00Z
  static final String LOGIN = "F1EE 01 0019 08 554E495430303031 0F 7365637265742D70617373776F7264 3C81";
  static final String STATE = "F1EE 02 0014 01 000001A1FD8C6900 00000007 02 080101 060150 4CA1";
  static final UUID ID = UUID.fromString("8d7f6a3e-52b1-4c8e-9a51-3f1c2b7e9d10");

  static TcpMessage decode(String hex) {
    TcpFrame frame = new TcpFrameDecoder().append(Hex.bytes(hex)).next();
    return TcpMessageDecoder.decode(frame, NOW);
  }

  static String encode(TcpMessage m) {
    return Hex.of(TcpMessageEncoder.encode(m));
  }

  static String plain(String hex) {
    return hex.replace(" ", "");
  }

  @Test
  void crcCheckValue() {
    assertEquals(0x29B1, Crc16.of("123456789".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void contractLogin() {
    assertEquals(new Login("UNIT0001", "secret-password"), decode(LOGIN));
    assertEquals(plain(LOGIN), encode(new Login("UNIT0001", "secret-password")));
  }

  @Test
  void contractState() {
    StateFrame f = ((State) decode(STATE)).frame();
    assertEquals(NOW, f.timestampMs());
    assertEquals(7, f.seq());
    assertEquals(List.of(new Reading(Property.CENTRAL_LOCK, NOW, "LOCKED"),
        new Reading(Property.STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT, NOW, 80.0)), f.readings());
    assertEquals(plain(STATE), encode(new State(f)));
  }

  /** CRCs computed by an independent bitwise reference, not by {@link Crc16}. */
  @Test
  void gatewayFramesByExactHex() {
    assertEquals("F1EE810001001C7D", encode(new LoginAck(0)));
    assertEquals("F1EE810001010C5C", encode(new LoginAck(1)));
    assertEquals("F1EE82000400000007C335", encode(new StateAck(7)));
    io.netty.buffer.ByteBuf two = io.netty.buffer.Unpooled.buffer();
    TcpMessageEncoder.writeStateAck(two, 7);
    TcpMessageEncoder.writeStateAck(two, 0xFFFFFFFFL);
    assertEquals("F1EE82000400000007C335" + encode(new StateAck(0xFFFFFFFFL)), io.netty.buffer.ByteBufUtil.hexDump(two).toUpperCase());
    assertEquals("F1EE830000AE96", encode(new HeartbeatAck()));
    assertEquals("F1EE03000095CC", encode(new Heartbeat()));
    assertEquals("F1EE8F0001029E65", encode(new Error(2)));
    String command = "840019" + "8D7F6A3E52B14C8E9A513F1C2B7E9D10" + "04" + "000001A1FD8C6900";
    assertEquals("F1EE" + command + "9A09", encode(new Command(ID, "UNLOCK_CENTRAL_LOCK", NOW)));
  }

  @Test
  void everyFrameTypeDecodes() {
    assertEquals(new LoginAck(2), decode(frame(0x81, "02")));
    assertEquals(new StateAck(0xFFFFFFFFL), decode(frame(0x82, "FFFFFFFF")));
    assertEquals(new Heartbeat(), decode(frame(0x03, "")));
    assertEquals(new HeartbeatAck(), decode(frame(0x83, "")));
    assertEquals(new Error(1), decode(frame(0x8F, "01")));
    assertEquals(new Command(ID, "UNLOCK_BATTERY_COMPARTMENT", NOW),
        decode(frame(0x84, "8D7F6A3E52B14C8E9A513F1C2B7E9D10 0B 000001A1FD8C6900")));
  }

  @Test
  void commandResultWithDetailAndState() {
    String hex = frame(0x04, "8D7F6A3E52B14C8E9A513F1C2B7E9D10 01 0004 6A616D21 01000001A1FD8C69000000000901080100");
    Result r = (Result) decode(hex);
    assertEquals(new CommandResult(ID, "FAILED", "jam!", List.of(new Reading(Property.CENTRAL_LOCK, NOW, "UNLOCKED"))), r.result());
    assertEquals(9, r.state().seq());
    assertEquals(plain(hex), encode(r));
  }

  @Test
  void commandResultWithoutDetailOrState() {
    Result r = (Result) decode(frame(0x04, "8D7F6A3E52B14C8E9A513F1C2B7E9D10 00 0000"));
    assertEquals(new CommandResult(ID, "SUCCEEDED", null, List.of()), r.result());
    assertNull(r.state());
  }

  @Test
  void commandCodes() {
    assertEquals(11, CommandCodes.names().size());
    for (int code = 1; code <= 11; code++) {
      assertEquals(code, CommandCodes.code(CommandCodes.name(code)));
    }
    assertEquals(1, CommandCodes.code("REQUEST_VEHICLE_STATE"));
    assertEquals(10, CommandCodes.code("DRAW_ATTENTION"));
    assertNull(CommandCodes.name(0));
    assertNull(CommandCodes.name(12));
    assertEquals(-1, CommandCodes.code("SELF_DESTRUCT"));
  }

  @Test
  void splitAndMergedFramesComeOutWhole() {
    byte[] both = (Hex.of(Hex.bytes(LOGIN)) + Hex.of(Hex.bytes(STATE))).transform(Hex::bytes);
    TcpFrameDecoder d = new TcpFrameDecoder();
    int frames = 0;
    for (byte b : both) {
      d.append(new byte[] {b});
      TcpFrame f = d.next();
      if (f != null) {
        frames++;
        assertEquals(frames == 1 ? TcpFrame.LOGIN : TcpFrame.STATE, f.type());
      }
    }
    assertEquals(2, frames);
    d.append(both);
    assertEquals(TcpFrame.LOGIN, d.next().type());
    assertEquals(TcpFrame.STATE, d.next().type());
    assertNull(d.next());
    assertEquals(0, d.buffered());
  }

  @Test
  void envelopeErrorsAreTypedAndEarly() {
    assertEquals(TcpFrameException.Reason.BAD_MAGIC, envelopeError("F2"));
    assertEquals(TcpFrameException.Reason.BAD_MAGIC, envelopeError("F1EF"));
    assertEquals(TcpFrameException.Reason.TOO_LONG, envelopeError("F1EE 02 1001")); // before the payload arrives
    assertEquals(TcpFrameException.Reason.BAD_CRC, envelopeError(STATE.substring(0, STATE.length() - 4) + "4CA2"));
    assertEquals(TcpFrameException.Reason.UNKNOWN_TYPE,
        assertThrows(TcpFrameException.class, () -> decode(frame(0x05, ""))).reason());
    TcpFrameDecoder d = new TcpFrameDecoder().append(Hex.bytes("0000"));
    assertThrows(TcpFrameException.class, d::next);
    d.append(Hex.bytes(LOGIN));
    assertThrows(TcpFrameException.class, d::next, "the stream stays out of sync");
  }

  @Test
  void maxLengthFrameIsAccepted() {
    TcpFrame f = new TcpFrameDecoder().append(new TcpFrame(0x03, new byte[4096]).toBytes()).next();
    assertEquals(4096, f.payload().length);
  }

  @Test
  void payloadErrorsAreFrameExceptions() {
    assertEquals(FrameException.Reason.TRUNCATED, payloadError(frame(0x01, "08 554E")));
    assertEquals(FrameException.Reason.TRAILING_BYTES, payloadError(frame(0x01, "01 41 01 42 00")));
    assertEquals(FrameException.Reason.TRAILING_BYTES, payloadError(frame(0x03, "00")));
    assertEquals(FrameException.Reason.OUT_OF_RANGE, payloadError(frame(0x84, "8D7F6A3E52B14C8E9A513F1C2B7E9D10 0C 000001A1FD8C6900")));
    assertEquals(FrameException.Reason.OUT_OF_RANGE, payloadError(frame(0x04, "8D7F6A3E52B14C8E9A513F1C2B7E9D10 03 0000")));
    assertEquals(FrameException.Reason.WRONG_TYPE, payloadError(frame(0x01, "01 FF 01 42")));
    assertEquals(FrameException.Reason.UNSUPPORTED_VERSION, payloadError(frame(0x02, "02")));
    assertEquals(FrameException.Reason.OUT_OF_RANGE, payloadError(frame(0x02, "01 000001A1FD8C6900 00000007 01 060165")));
  }

  private static TcpFrameException.Reason envelopeError(String hex) {
    return assertThrows(TcpFrameException.class, () -> new TcpFrameDecoder().append(Hex.bytes(hex)).next()).reason();
  }

  private static FrameException.Reason payloadError(String hex) {
    return assertThrows(FrameException.class, () -> decode(hex)).reason();
  }

  /** A whole frame of this type and payload, CRC computed. */
  static String frame(int type, String payloadHex) {
    byte[] payload = Hex.bytes(payloadHex);
    return Hex.of(new TcpFrame(type, payload).toBytes());
  }

  @Test
  void toBytesMatchesTheContract() {
    assertArrayEquals(Hex.bytes(LOGIN), new TcpFrame(1, Hex.bytes("08 554E495430303031 0F 7365637265742D70617373776F7264")).toBytes());
    assertInstanceOf(State.class, decode(STATE));
  }
}
