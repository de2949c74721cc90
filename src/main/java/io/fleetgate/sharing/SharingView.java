package io.fleetgate.sharing;

import java.time.Instant;

/**
 * A vehicle's {@code sharing} as one fleet sees it.
 *
 * @param status {@code SHARED_OWN_VEHICLE} (owner), {@code SHARED_PARTNER_VEHICLE} (partner) or
 *     {@code SHARING_SCHEDULED} (owner, before {@code startsAt})
 * @param endsAt null for an open end
 */
public record SharingView(String status, FleetRef owner, FleetRef partner, Instant startsAt, Instant endsAt) {
  public static final String SHARED_OWN_VEHICLE = "SHARED_OWN_VEHICLE";
  public static final String SHARED_PARTNER_VEHICLE = "SHARED_PARTNER_VEHICLE";
  public static final String SHARING_SCHEDULED = "SHARING_SCHEDULED";

  /** A fleet as named in a sharing. */
  public record FleetRef(String fleetId, String name) {}
}
