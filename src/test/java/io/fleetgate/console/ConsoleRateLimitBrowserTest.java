package io.fleetgate.console;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A 429 in the console: the problem's title and detail, and when to try again, in the alert. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsoleRateLimitBrowserTest {

  @Test
  void aRefusedCallSaysWhenToRetry() throws Exception {
    Browser.requireInstalled();
    try (TestGateway gw = TestGateway.start(Map.of("rate.requestsPerSecond", 1, "rate.burst", 3))) {
      ConsoleFleet fleet = new ConsoleFleet(gw, "busy");
      fleet.vehicle("B-RL 1");
      try (Browser b = Browser.open("http://127.0.0.1:" + gw.gateway.httpPort(), 1280, 800)) {
        b.signIn(fleet.clientId, fleet.secret);
        // an operator clicking through the pages faster than the client's allowance
        for (String page : new String[] {"#/sharing", "#/archive", "#/vehicles", "#/sharing", "#/events"}) {
          b.driver.get(b.base + "/console/" + page);
        }
        String alert = b.waitFor("the 429 alert", d -> b.alertText().startsWith("Too many requests") ? b.alertText() : null);
        assertTrue(alert.matches("Too many requests: .+ Try again in \\d+ seconds?\\."), alert);
      }
    }
  }
}
