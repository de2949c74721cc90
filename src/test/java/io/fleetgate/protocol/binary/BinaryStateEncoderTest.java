package io.fleetgate.protocol.binary;

import static io.fleetgate.protocol.binary.BinaryStateDecoderTest.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetgate.protocol.Hex;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

class BinaryStateEncoderTest {

  static String encode(long seq, Reading... readings) {
    return Hex.of(BinaryStateEncoder.encode(new StateFrame(T0, seq, List.of(readings), 0)));
  }

  @Test
  void contractExampleByExactHex() {
    assertEquals("01000001A1FD8C690000000007020801010601" + "50", encode(7,
        new Reading(Property.CENTRAL_LOCK, T0, "LOCKED"),
        new Reading(Property.STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT, T0, 80.0)));
  }

  @Test
  void eachEncodingByExactHex() {
    String head = "01000001A1FD8C6900FFFFFFFF01";
    assertEquals(head + "0108" + "1F4DEA80" + "07FD70D0",
        encode(0xFFFF_FFFFL, new Reading(Property.POSITION, T0, new Position(52.52, 13.405))));
    assertEquals(head + "0202" + "FFF6", encode(0xFFFF_FFFFL, new Reading(Property.ALTITUDE_IN_METERS, T0, -10.0)));
    assertEquals(head + "0504" + "00018FC5",
        encode(0xFFFF_FFFFL, new Reading(Property.MILEAGE_IN_KILOMETERS, T0, 10234.1)));
    assertEquals(head + "0901" + "00", encode(0xFFFF_FFFFL, new Reading(Property.DRIVING_ENABLED, T0, false)));
    assertEquals(head + "0E01" + "01", encode(0xFFFF_FFFFL, new Reading(Property.TOP_CASE_LID, T0, "OPEN")));
  }

  @Test
  void roundsToTheRawUnit() {
    String head = "01000001A1FD8C69000000000101";
    assertEquals(head + "0302" + "007B", encode(1, new Reading(Property.SPEED_IN_KILOMETERS_PER_HOUR, T0, 12.34)));
    assertEquals(head + "0302" + "007C", encode(1, new Reading(Property.SPEED_IN_KILOMETERS_PER_HOUR, T0, 12.35)));
    assertEquals(head + "0C02" + "04D8", encode(1, new Reading(Property.BOARD_VOLTAGE_IN_VOLTS, T0, 12.4)));
  }

  @Test
  void appendsAtTheWriterIndex() {
    StateFrame f = new StateFrame(T0, 7, List.of(new Reading(Property.CENTRAL_LOCK, T0, "LOCKED")), 0);
    ByteBuf out = Unpooled.buffer().writeByte(0xAA);
    BinaryStateEncoder.encode(f, out);
    assertEquals(1 + BinaryStateEncoder.encodedLength(f), out.readableBytes());
    assertEquals("AA01000001A1FD8C69000000000701080101", Hex.of(io.netty.buffer.ByteBufUtil.getBytes(out)));
  }

  @Test
  void refusesWhatThePayloadCannotCarry() {
    Reading lock = new Reading(Property.CENTRAL_LOCK, T0, "LOCKED");
    assertThrows(IllegalArgumentException.class,
        () -> BinaryStateEncoder.encode(new StateFrame(T0, StateFrame.NO_SEQ, List.of(lock), 0)));
    assertThrows(IllegalArgumentException.class,
        () -> BinaryStateEncoder.encode(new StateFrame(T0, 1L << 32, List.of(lock), 0)));
    assertThrows(IllegalArgumentException.class, () -> BinaryStateEncoder.encode(
        new StateFrame(T0, 1, List.of(new Reading(Property.CENTRAL_LOCK, T0 - 1, "LOCKED")), 0)));
    assertThrows(IllegalArgumentException.class, () -> BinaryStateEncoder.encode(
        new StateFrame(T0, 1, List.of(new Reading(Property.ALTITUDE_IN_METERS, T0, 40_000.0)), 0)));
    assertThrows(IllegalArgumentException.class, () -> BinaryStateEncoder.encode(
        new StateFrame(T0, 1, List.of(new Reading(Property.BOARD_VOLTAGE_IN_VOLTS, T0, -1.0)), 0)));
    assertThrows(IllegalArgumentException.class, () -> BinaryStateEncoder.encode(
        new StateFrame(T0, 1, List.of(new Reading(Property.CENTRAL_LOCK, T0, "OPEN")), 0)));
  }
}
