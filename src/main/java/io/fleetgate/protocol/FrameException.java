package io.fleetgate.protocol;

import java.util.Locale;

/**
 * A device frame that the gateway rejects whole. Thrown once per bad frame on the ingest path, so it carries
 * no stack trace: the {@link Reason} (a metrics label) and the detail (which property, which offset) say all.
 */
public final class FrameException extends RuntimeException {

  /** Why a frame was rejected; {@link #label()} is the lower-case name used as a metrics label. */
  public enum Reason {
    /** Nothing to decode: zero bytes, or only whitespace. */
    EMPTY,
    /** Not syntactically valid JSON, or not a JSON object at the top. */
    MALFORMED_JSON,
    /** A JSON property name that is not in the contract. */
    UNKNOWN_PROPERTY,
    /** A key the contract does not define at this place (top level, value wrapper, position, result). */
    UNKNOWN_FIELD,
    /** A required key is absent ({@code ts}, {@code state}, {@code lat}/{@code lon}, {@code id}, ...). */
    MISSING_FIELD,
    /** The same property or key twice in one frame. */
    DUPLICATE_PROPERTY,
    /** A value outside its range, an enum label or binary flag that is not one of the two, a bad status. */
    OUT_OF_RANGE,
    /** A value of the wrong JSON type (a string for a number, null, ...). */
    WRONG_TYPE,
    /** A timestamp more than the allowed skew in the future. */
    FUTURE_TIMESTAMP,
    /** A timestamp that is not ISO-8601 with zone or non-negative epoch milliseconds. */
    BAD_TIMESTAMP,
    /** A command id that is not a canonical UUID. */
    BAD_ID,
    /** A binary payload version this gateway does not speak. */
    UNSUPPORTED_VERSION,
    /** A binary field whose length does not match its id's encoding. */
    BAD_LENGTH,
    /** A binary payload that ends before its declared content. */
    TRUNCATED,
    /** Bytes after the end of the frame's declared content. */
    TRAILING_BYTES;

    private final String label = name().toLowerCase(Locale.ROOT);

    public String label() {
      return label;
    }
  }

  private final Reason reason;
  private final String detail;

  public FrameException(Reason reason, String detail) {
    super(reason.label() + ": " + detail, null, false, false);
    this.reason = reason;
    this.detail = detail;
  }

  public Reason reason() {
    return reason;
  }

  /** Human-readable detail: which property, key or byte offset. */
  public String detail() {
    return detail;
  }
}
