package io.fleetgate.problem;

/** A store refused a write because its key is taken. {@code kind} says which key, when the store knows it. */
public final class DuplicateKeyException extends RuntimeException {
  /** The kind of the taken key, e.g. {@link #VEHICLE} or {@link #TELEMATICS_UNIT}; null when not given. */
  public final String kind;

  public static final String VEHICLE = "vehicle";
  public static final String TELEMATICS_UNIT = "telematics unit";

  public DuplicateKeyException(String what) {
    this(null, what);
  }

  public DuplicateKeyException(String kind, String what) {
    super(what, null, false, false);
    this.kind = kind;
  }
}
