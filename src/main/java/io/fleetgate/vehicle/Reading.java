package io.fleetgate.vehicle;

/**
 * One property value with its own capture time. {@code value} is a {@link Position}, {@link Double},
 * canonical label {@link String} or {@link Boolean}, as {@link Property.Kind} says. Immutable.
 */
public record Reading(Property property, long timestampMs, Object value) {}
