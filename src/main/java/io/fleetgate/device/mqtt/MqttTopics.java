package io.fleetgate.device.mqtt;

/**
 * The topics of one unit. A unit may publish only to its {@code state} and {@code command-results} topics
 * and subscribe only to its {@code commands} topic, spelled exactly: no wildcards, no other unit's id.
 */
record MqttTopics(String state, String commandResults, String commands) {

  /** What a PUBLISH topic is for this unit. */
  enum Publish { STATE, COMMAND_RESULTS, FORBIDDEN }

  static MqttTopics of(String unitId) {
    String base = "units/" + unitId + "/";
    return new MqttTopics(base + "state", base + "command-results", base + "commands");
  }

  Publish publish(String topic) {
    if (state.equals(topic)) {
      return Publish.STATE;
    }
    if (commandResults.equals(topic)) {
      return Publish.COMMAND_RESULTS;
    }
    return Publish.FORBIDDEN;
  }

  boolean maySubscribe(String filter) {
    return commands.equals(filter);
  }
}
