package io.fleetgate.config;

/** A bad setting: its message is the one line printed at start-up, naming the setting. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
