package io.fleetgate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock a test moves forward by hand: either standing still at a start instant ({@link #now()},
 * {@link #at}), or running with the system clock plus an offset ({@link #flowing()}, to make a timer late
 * without stopping time for the rest of the gateway).
 */
public final class TestClock extends Clock {
  private final boolean flowing;
  /** Epoch ms when standing still; the offset to the system clock when flowing. */
  private final AtomicLong value;

  private TestClock(boolean flowing, long value) {
    this.flowing = flowing;
    this.value = new AtomicLong(value);
  }

  public TestClock(Instant start) {
    this(false, start.toEpochMilli());
  }

  /** Standing still at the current time. */
  public static TestClock now() {
    return new TestClock(Instant.now());
  }

  /** Standing still at {@code epochMs}. */
  public static TestClock at(long epochMs) {
    return new TestClock(false, epochMs);
  }

  /** The system clock plus an offset that {@link #advance} grows. */
  public static TestClock flowing() {
    return new TestClock(true, 0);
  }

  public void advance(Duration d) {
    value.addAndGet(d.toMillis());
  }

  public void advance(long ms) {
    value.addAndGet(ms);
  }

  @Override
  public long millis() {
    return flowing ? System.currentTimeMillis() + value.get() : value.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
