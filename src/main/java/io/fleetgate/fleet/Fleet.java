package io.fleetgate.fleet;

import java.time.Instant;
import java.util.regex.Pattern;

/** An operator's organisational unit. {@code id} is immutable; {@code name} can be renamed. */
public record Fleet(String id, String name, Instant createdAt, Instant modifiedAt) {
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");
  public static final int NAME_MAX = 100;

  public Fleet renamed(String newName, Instant now) {
    return new Fleet(id, newName, createdAt, now);
  }
}
