package io.fleetgate.command;

/** A command was sent, but the unit's protocol gave no proof of delivery (PUBACK) in time. */
public final class DeliveryTimeoutException extends RuntimeException {
  public DeliveryTimeoutException(String message) {
    super(message, null, false, false);
  }
}
