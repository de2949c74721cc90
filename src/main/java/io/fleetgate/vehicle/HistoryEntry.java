package io.fleetgate.vehicle;

import java.util.List;

/** One recorded state: what a frame applied, and when the gateway recorded it. */
public record HistoryEntry(long recordedAtMs, long seq, List<Reading> readings) {}
