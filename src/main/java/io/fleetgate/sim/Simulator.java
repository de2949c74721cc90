package io.fleetgate.sim;

/** {@code fleetgate simulate}: placeholder until the simulator lands. */
public final class Simulator {
  private Simulator() {}

  public static void main(String[] args) {
    throw new UnsupportedOperationException("simulate");
  }
}
