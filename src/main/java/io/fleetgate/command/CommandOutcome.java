package io.fleetgate.command;

import io.fleetgate.vehicle.Reading;
import java.util.List;

/**
 * What a send gives back: the command as it is now, and for a synchronous success the vehicle's latest state
 * after the result was applied (null otherwise).
 */
public record CommandOutcome(Command command, List<Reading> state) {}
