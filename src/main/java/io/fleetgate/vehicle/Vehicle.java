package io.fleetgate.vehicle;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A vehicle's master record (immutable; replaced as a whole on change). Fast-changing runtime data — latest
 * state, life status, last contact — lives in {@link VehicleLive}, so that a state frame never copies this.
 *
 * @param seq creation order, unique and increasing: the stable order of listings and cursors
 * @param masterData field → value, only the fields that are set
 */
public record Vehicle(
    String id,
    long seq,
    String fleetId,
    String unitId,
    Instant createdAt,
    Instant modifiedAt,
    Instant attachedAt,
    Map<String, String> masterData,
    Map<String, String> customFields,
    List<String> tags,
    String operationStatus,
    Instant operationStatusModifiedAt,
    Capabilities capabilities) {

  public static final List<String> OPERATION_STATUSES = List.of("OPERATING", "GARAGE", "MAINTENANCE", "OUT_OF_SERVICE");

  public Vehicle withData(
      Map<String, String> masterData, Map<String, String> customFields, List<String> tags,
      String operationStatus, Instant operationStatusModifiedAt, Instant now) {
    return new Vehicle(id, seq, fleetId, unitId, createdAt, now, attachedAt, masterData, customFields, tags,
        operationStatus, operationStatusModifiedAt, capabilities);
  }
}
