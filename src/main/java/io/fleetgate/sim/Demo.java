package io.fleetgate.sim;

/** {@code fleetgate demo}: placeholder until the simulator lands. */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) {
    throw new UnsupportedOperationException("demo");
  }
}
