package io.fleetgate.vehicle;

import java.util.List;

/** One recorded state: what a frame applied, when the gateway recorded it, and its per-vehicle id (increasing). */
public record HistoryEntry(long id, long recordedAtMs, List<Reading> readings) {}
