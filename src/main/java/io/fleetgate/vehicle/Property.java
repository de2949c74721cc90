package io.fleetgate.vehicle;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The state properties of the device protocol: JSON name, capability name, binary id, value kind, range and
 * binary encoding. The single source of truth for both codecs and for capability filtering.
 *
 * <p>Capability {@code FOO_BAR} is property {@code foo_bar}; the enum constant name is the capability.
 */
public enum Property {
  POSITION(0x01, Kind.POSITION, Encoding.POSITION, 0, 0, 1),
  ALTITUDE_IN_METERS(0x02, Kind.NUMBER, Encoding.I16, -1e9, 1e9, 1),
  SPEED_IN_KILOMETERS_PER_HOUR(0x03, Kind.NUMBER, Encoding.U16, 0, 1e9, 10),
  HEADING_IN_DEGREES(0x04, Kind.NUMBER, Encoding.U16, 0, Math.nextDown(360.0), 10),
  MILEAGE_IN_KILOMETERS(0x05, Kind.NUMBER, Encoding.U32, 0, 1e12, 10),
  STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT(0x06, Kind.NUMBER, Encoding.U8, 0, 100, 1),
  REMAINING_RANGE_IN_KILOMETERS(0x07, Kind.NUMBER, Encoding.U16, 0, 1e9, 1),
  CENTRAL_LOCK(0x08, Kind.ENUM, Encoding.U8, "LOCKED", "UNLOCKED"),
  DRIVING_ENABLED(0x09, Kind.BOOLEAN, Encoding.U8, 0, 1, 1),
  IGNITION(0x0A, Kind.ENUM, Encoding.U8, "ON", "OFF"),
  CELLULAR_SIGNAL_QUALITY(0x0B, Kind.NUMBER, Encoding.U8, 0, 5, 1),
  BOARD_VOLTAGE_IN_VOLTS(0x0C, Kind.NUMBER, Encoding.U16, -1e9, 1e9, 100),
  TOP_CASE_LOCK(0x0D, Kind.ENUM, Encoding.U8, "LOCKED", "UNLOCKED"),
  TOP_CASE_LID(0x0E, Kind.ENUM, Encoding.U8, "OPEN", "CLOSED"),
  DOORS(0x0F, Kind.ENUM, Encoding.U8, "OPEN", "CLOSED"),
  CHARGING_STATUS(0x10, Kind.ENUM, Encoding.U8, "CHARGING", "NOT_CHARGING"),
  BATTERY_COMPARTMENT_LOCK(0x11, Kind.ENUM, Encoding.U8, "LOCKED", "UNLOCKED");

  /** What a value is in JSON and in {@link Reading#value()}. */
  public enum Kind {
    /** {@link Position}. */
    POSITION,
    /** {@link Double}, within [min, max]. */
    NUMBER,
    /** one of two canonical {@link String} labels: {@code oneLabel} (binary 1) and {@code zeroLabel} (binary 0). */
    ENUM,
    /** {@link Boolean}. */
    BOOLEAN
  }

  /** Binary TLV value encodings (big-endian). */
  public enum Encoding {
    POSITION(8), I16(2), U16(2), U32(4), U8(1);
    public final int length;

    Encoding(int length) {
      this.length = length;
    }
  }

  private static final Property[] BY_ID = new Property[256];
  private static final Map<String, Property> BY_JSON_NAME = new HashMap<>();
  private static final Map<String, Property> BY_CAPABILITY = new HashMap<>();
  private static final Property[] VALUES = values();

  static {
    for (Property p : VALUES) {
      BY_ID[p.id] = p;
      BY_JSON_NAME.put(p.jsonName, p);
      BY_CAPABILITY.put(p.name(), p);
    }
  }

  public final int id;
  public final Kind kind;
  public final Encoding encoding;
  /** Inclusive range of a NUMBER. */
  public final double min;
  public final double max;
  /** Binary raw units per JSON unit (raw = value × scale). */
  public final int scale;
  public final String oneLabel;
  public final String zeroLabel;
  public final String jsonName;
  /** Bit of this property in a capability mask. */
  public final int bit;

  Property(int id, Kind kind, Encoding encoding, double min, double max, int scale) {
    this(id, kind, encoding, min, max, scale, null, null);
  }

  Property(int id, Kind kind, Encoding encoding, String oneLabel, String zeroLabel) {
    this(id, kind, encoding, 0, 1, 1, oneLabel, zeroLabel);
  }

  Property(int id, Kind kind, Encoding encoding, double min, double max, int scale, String one, String zero) {
    this.id = id;
    this.kind = kind;
    this.encoding = encoding;
    this.min = min;
    this.max = max;
    this.scale = scale;
    this.oneLabel = one;
    this.zeroLabel = zero;
    this.jsonName = name().toLowerCase(Locale.ROOT);
    this.bit = 1 << ordinal();
  }

  /** The property with this binary id, or null for an id this gateway does not know. */
  public static Property byId(int id) {
    return id >= 0 && id < 256 ? BY_ID[id] : null;
  }

  /** The property with this JSON name, or null. */
  public static Property byJsonName(String name) {
    return BY_JSON_NAME.get(name);
  }

  /** The property of this state capability name (e.g. {@code CENTRAL_LOCK}), or null. */
  public static Property byCapability(String capability) {
    return BY_CAPABILITY.get(capability);
  }

  public static Property byOrdinal(int ordinal) {
    return VALUES[ordinal];
  }

  public static int count() {
    return VALUES.length;
  }

  /** Mask with every property's bit set. */
  public static int allMask() {
    return (1 << VALUES.length) - 1;
  }

  /** The canonical label instance for an ENUM value, or null when the label is not one of the two. */
  public String label(String candidate) {
    if (oneLabel.equals(candidate)) {
      return oneLabel;
    }
    if (zeroLabel.equals(candidate)) {
      return zeroLabel;
    }
    return null;
  }

  public boolean inRange(double v) {
    return v >= min && v <= max && !Double.isNaN(v);
  }
}
