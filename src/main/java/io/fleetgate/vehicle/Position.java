package io.fleetgate.vehicle;

/** A WGS-84 position in decimal degrees. */
public record Position(double lat, double lon) {

  public static boolean valid(double lat, double lon) {
    return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;
  }
}
