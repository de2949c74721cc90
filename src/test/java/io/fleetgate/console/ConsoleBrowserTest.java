package io.fleetgate.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The operator console in a real headless Chromium, used as an operator would: one gateway (in memory) and one
 * browser for the class, a fresh page load (and so a fresh sign-in) per test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsoleBrowserTest {
  static TestGateway gw;
  static Browser browser;
  static ConsoleFleet acme;
  static ConsoleFleet partner;
  /** Set by a test that makes the API answer 4xx on purpose (shown as an alert, logged by Chromium). */
  boolean expectApiErrors;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    gw = TestGateway.start();
    acme = new ConsoleFleet(gw, "acme");
    partner = new ConsoleFleet(gw, "partner");
    ConsoleFleet.partners(gw, "acme", "partner");
    browser = Browser.open("http://127.0.0.1:" + gw.gateway.httpPort(), 1280, 800);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (gw != null) {
      gw.close();
    }
  }

  @AfterEach
  void noConsoleErrors() {
    browser.assertNoErrors(expectApiErrors);
  }

  private List<String> vehicleIds(Browser b) {
    return b.driver.findElements(By.cssSelector("tbody tr td:first-child a")).stream().map(WebElement::getText)
        .collect(Collectors.toList());
  }

  @Test
  void aWrongSecretShowsTheProblemsTitleAndTheRightOneSignsIn() {
    expectApiErrors = true;
    browser.load(null);
    browser.field("Client ID").sendKeys(acme.clientId);
    browser.field("Client secret").sendKeys("not-the-secret");
    browser.button("Sign in").click();
    browser.waitFor("the alert", d -> browser.alertText().startsWith("Unauthorized"));
    assertTrue(browser.alertText().contains("invalid client credentials"), browser.alertText());
    assertEquals("alert", browser.driver.findElement(By.id("alert")).getAttribute("role"));
    // no browser dialog: the page is still the sign-in form and takes input
    WebElement secret = browser.field("Client secret");
    secret.clear();
    secret.sendKeys(acme.secret);
    browser.button("Sign in").click();
    browser.waitFor("the navigation", d -> !d.findElements(By.cssSelector("nav")).isEmpty());
    for (String link : List.of("Vehicles", "Map", "Sharing", "Archive", "Events")) {
      browser.link(link);
    }
    assertTrue(browser.driver.findElements(By.linkText("Fleets")).isEmpty(), "Fleets is for administrators");
    assertTrue(browser.driver.findElement(By.cssSelector("nav .who")).getText().contains("acme"));
    assertEquals("", browser.alertText());
    // nothing kept in storage or cookies: a reload asks to sign in again
    assertEquals(0L, browser.script("return localStorage.length + sessionStorage.length + document.cookie.length"));
    browser.driver.navigate().refresh();
    browser.field("Client secret");
  }

  @Test
  void searchFindsAVehicleByLicensePlate() {
    ConsoleFleet.Unit wanted = acme.vehicle("B-SE 4242");
    acme.vehicle("B-XX 1");
    browser.signIn(acme.clientId, acme.secret);
    browser.field("Search").sendKeys("se 42");
    browser.waitFor("only the wanted vehicle", d -> vehicleIds(browser).equals(List.of(wanted.vehicleId)));
    browser.link(wanted.vehicleId).click();
    browser.waitFor("its page", d -> d.findElement(By.tagName("h1")).getText().equals("Vehicle " + wanted.vehicleId));
  }

  @Test
  void stateAndLifeStatusChangeLiveWhenTheUnitPublishes() {
    ConsoleFleet.Unit unit = acme.vehicle("B-LV 1");
    browser.signIn(acme.clientId, acme.secret);
    browser.driver.get(browser.base + "/console/#/vehicles/" + unit.vehicleId);
    browser.waitFor("the vehicle page", d -> d.findElement(By.tagName("h1")).getText().contains(unit.vehicleId));
    try (ConsoleFleet.Unit u = unit.connect()) {
      u.publish(new JsonObject().put("central_lock", "UNLOCKED").put("state_of_charge_or_fuel_level_in_percent", 57));
      browser.waitFor("the new state", d -> d.findElement(By.cssSelector("section[aria-labelledby=state-h] tbody")).getText()
          .contains("UNLOCKED"));
      browser.waitFor("online", d -> d.findElement(By.cssSelector("dl.details")).getText().contains("Online"));
    }
  }

  @Test
  void aCommandShowsItsStatusUpToSucceeded() {
    try (ConsoleFleet.Unit unit = acme.vehicle("B-CM 1").connect()) {
      browser.signIn(acme.clientId, acme.secret);
      browser.driver.get(browser.base + "/console/#/vehicles/" + unit.vehicleId);
      browser.waitFor("online", d -> d.findElement(By.cssSelector("dl.details")).getText().contains("Online"));
      browser.button("Lock central lock").click();
      browser.waitFor("SUCCEEDED", d -> d.findElement(By.cssSelector(".command-status")).getText()
          .equals("Lock central lock: SUCCEEDED"));
      browser.waitFor("listed with who sent it", d -> d.findElement(By.cssSelector("section[aria-labelledby=commands-h] tbody"))
          .getText().contains("SUCCEEDED"));
    }
  }

  @Test
  void aCommandForAnOfflineUnitIsQueuedAndDeliveredWhenItConnects() {
    ConsoleFleet.Unit unit = acme.vehicle("B-OF 1");
    browser.signIn(acme.clientId, acme.secret);
    browser.driver.get(browser.base + "/console/#/vehicles/" + unit.vehicleId);
    browser.button("Draw attention").click();
    browser.button("Queue \"Draw attention\" until the unit connects").click();
    browser.waitFor("QUEUED", d -> d.findElement(By.cssSelector(".command-status")).getText().equals("Draw attention: QUEUED"));
    try (ConsoleFleet.Unit u = unit.connect()) {
      browser.waitFor("SUCCEEDED", 15, d -> d.findElement(By.cssSelector(".command-status")).getText()
          .equals("Draw attention: SUCCEEDED"));
    }
  }

  @Test
  void sharingWithAPartnerAndEndingItTakesTheVehicleFromThePartnersConsole() throws Exception {
    ConsoleFleet.Unit unit = acme.vehicle("B-SH 1");
    browser.signIn(acme.clientId, acme.secret);
    browser.driver.get(browser.base + "/console/#/vehicles/" + unit.vehicleId);
    new org.openqa.selenium.support.ui.Select(browser.field("Partner fleet")).selectByValue("partner");
    browser.button("Share with partner").click();
    browser.button("End sharing");
    try (Browser other = Browser.open(browser.base, 1280, 800)) {
      other.signIn(partner.clientId, partner.secret);
      other.waitFor("the shared vehicle", d -> vehicleIds(other).contains(unit.vehicleId));
      other.link(unit.vehicleId).click();
      other.waitFor("its page", d -> d.findElement(By.tagName("h1")).getText().contains(unit.vehicleId));
      assertTrue(other.driver.findElements(By.cssSelector("section[aria-labelledby=edit-h] form")).isEmpty(),
          "a partner cannot edit");
      browser.button("End sharing").click();
      other.waitFor("the partner's page leaves the vehicle", d -> d.getCurrentUrl().endsWith("#/vehicles"));
      other.waitFor("the list without it", d -> !d.findElements(By.cssSelector("tbody")).isEmpty()
          && !vehicleIds(other).contains(unit.vehicleId));
      other.assertNoErrors(false);
    }
  }

  @Test
  void anArchivedVehicleIsRestored() {
    ConsoleFleet.Unit unit = acme.vehicle("B-AR 1");
    assertEquals(204, acme.call(HttpMethod.DELETE, "/vehicles/" + unit.vehicleId, null).statusCode());
    browser.signIn(acme.clientId, acme.secret);
    browser.link("Archive").click();
    WebElement row = browser.waitFor("the archived vehicle", d -> d.findElements(By.cssSelector("tbody tr")).stream()
        .filter(r -> r.getText().startsWith(unit.vehicleId)).findFirst().orElse(null));
    row.findElement(By.tagName("button")).click();
    browser.waitFor("restored", d -> d.findElement(By.cssSelector("main p[role=status]")).getText()
        .startsWith("Vehicle " + unit.vehicleId + " restored"));
    assertEquals(200, acme.call(HttpMethod.GET, "/vehicles/" + unit.vehicleId, null).statusCode());
  }

  @Test
  void mapMarkersStandOnAGridAndMoveLive() {
    try (ConsoleFleet.Unit unit = acme.vehicle("B-MP 1").connect()) {
      unit.position(52.52, 13.40);
      browser.signIn(acme.clientId, acme.secret);
      browser.link("Map").click();
      WebElement marker = browser.waitFor("the marker", d -> d.findElements(By.cssSelector("path[aria-label]")).stream()
          .filter(m -> m.getAttribute("aria-label").contains(unit.vehicleId)).findFirst().orElse(null));
      assertEquals("link", marker.getAttribute("role"));
      assertTrue(browser.driver.findElements(By.cssSelector(".leaflet-tile")).isEmpty(), "no tiles by default");
      assertTrue(browser.driver.findElements(By.cssSelector("path.leaflet-interactive")).size() > 0);
      String before = marker.getAttribute("d");
      unit.position(52.5203, 13.4006); // a few dozen metres: still in view at the zoom fitBounds chose
      browser.waitFor("the marker moved", d -> !before.equals(marker.getAttribute("d")));
      try (ConsoleFleet.Unit late = acme.vehicle("B-MP 2").connect()) {
        late.position(52.5201, 13.4003);
        browser.waitFor("a marker for a vehicle whose first position came after the page opened",
            d -> d.findElements(By.cssSelector("path[aria-label]")).stream()
                .anyMatch(m -> m.getAttribute("aria-label").contains(late.vehicleId)));
      }
      new Actions(browser.driver).moveToElement(marker).click().perform();
      browser.waitFor("its vehicle page", d -> d.getCurrentUrl().endsWith("#/vehicles/" + unit.vehicleId));
    }
  }

  @Test
  void pagingThroughOneHundredTwentyVehicles() {
    ConsoleFleet big = new ConsoleFleet(gw, "big");
    for (int i = 0; i < 120; i++) {
      big.vehicle(null);
    }
    browser.signIn(big.clientId, big.secret);
    Set<String> seen = new HashSet<>();
    List<String> first = browser.waitFor("page 1", d -> vehicleIds(browser).size() == 50 ? vehicleIds(browser) : null);
    seen.addAll(first);
    browser.button("Next").click();
    browser.waitFor("page 2", d -> !vehicleIds(browser).equals(first) && vehicleIds(browser).size() == 50);
    seen.addAll(vehicleIds(browser));
    browser.button("Next").click();
    browser.waitFor("page 3", d -> vehicleIds(browser).size() == 20);
    seen.addAll(vehicleIds(browser));
    assertEquals(120, seen.size());
    assertFalse(browser.driver.findElement(By.xpath("//button[text()='Next']")).isEnabled());
    browser.button("Previous").click();
    browser.waitFor("page 2 again", d -> vehicleIds(browser).size() == 50);
  }

  @Test
  void anAdministratorCreatesAFleetAndAClient() {
    browser.signIn(TestGateway.ADMIN_ID, TestGateway.ADMIN_SECRET);
    browser.link("Fleets").click();
    browser.field("Fleet ID").sendKeys("made-in-browser");
    browser.field("Name").sendKeys("Made in the browser");
    browser.button("Create fleet").click();
    browser.link("made-in-browser").click();
    browser.field("Client name").sendKeys("dispatch");
    browser.button("Create API client").click();
    String secret = browser.waitFor("the secret, once", d -> d.findElements(By.cssSelector("code.client-secret")).stream()
        .map(WebElement::getText).findFirst().orElse(null));
    String clientId = browser.driver.findElement(By.cssSelector(".secret code")).getText();
    browser.signIn(clientId, secret);
    assertEquals("made-in-browser", browser.driver.findElements(By.cssSelector("nav .who strong")).get(1).getText());
  }

  @Test
  void aNameWrittenByAnotherFleetIsShownAsText() {
    String evil = "<img src=x onerror=alert(1)>";
    ConsoleFleet.Unit unit = partner.vehicle("P-XS 1");
    JsonObject patch = new JsonObject().put("master_data", new JsonObject().put("custom_name", evil).put("remark", evil));
    assertEquals(200, partner.call(HttpMethod.PATCH, "/vehicles/" + unit.vehicleId, patch).statusCode());
    assertEquals(200, partner.call(HttpMethod.POST, "/vehicles/" + unit.vehicleId + "/sharing",
        new JsonObject().put("fleet_id", "acme")).statusCode());
    browser.signIn(acme.clientId, acme.secret);
    browser.waitFor("the name as text", d -> d.findElement(By.tagName("tbody")).getText().contains(evil));
    browser.link(unit.vehicleId).click();
    browser.waitFor("the name as text on its page", d -> d.findElement(By.cssSelector("dl.details")).getText().contains(evil));
    assertTrue(browser.driver.findElements(By.cssSelector("main img")).isEmpty(), "markup from a partner was parsed");
    assertNull(browser.script("return window.__xss"));
    assertEquals(204, partner.call(HttpMethod.DELETE, "/vehicles/" + unit.vehicleId + "/sharing", null).statusCode());
  }

  @Test
  void anEventThatHappenedWhileThePageWasClosedIsListed() {
    ConsoleFleet.Unit unit = acme.vehicle("B-EV 1");
    browser.signIn(acme.clientId, acme.secret);
    browser.link("Events").click();
    browser.waitFor("the events page", d -> d.findElement(By.tagName("h1")).getText().equals("Events"));
    browser.driver.get("about:blank");
    JsonObject patch = new JsonObject().put("operation_status", new JsonObject().put("value", "MAINTENANCE"));
    assertEquals(200, acme.call(HttpMethod.PATCH, "/vehicles/" + unit.vehicleId, patch).statusCode());
    browser.signIn(acme.clientId, acme.secret);
    browser.link("Events").click();
    browser.field("Vehicle").sendKeys(unit.vehicleId + Keys.ENTER);
    browser.waitFor("the stored event", d -> d.findElements(By.cssSelector("ol.events li")).stream()
        .anyMatch(li -> li.getText().contains("VehicleChanged") && li.getText().contains(unit.vehicleId)
            && li.getText().contains("Operation status changed")));
  }

  @Test
  void theCspBlocksInlineScriptAndEveryResourceIsSameOrigin() {
    browser.signIn(acme.clientId, acme.secret);
    Object ran = browser.script("const s = document.createElement('script'); s.textContent = 'window.__inline = 1';"
        + "document.head.append(s); return window.__inline === 1;");
    assertEquals(false, ran, "an inline script ran despite the CSP");
    // the violation above is logged by Chromium as an error: read it out of the way, it is the point here
    assertTrue(browser.errors(false).stream().anyMatch(e -> e.contains("Content Security Policy")));
    @SuppressWarnings("unchecked")
    List<String> resources = (List<String>) browser.script(
        "return performance.getEntriesByType('resource').map(e => e.name)");
    assertFalse(resources.isEmpty());
    for (String r : resources) {
      assertTrue(r.startsWith(browser.base + "/"), r);
    }
  }

  @Test
  void keyboardOnlySignInAndCommand() {
    try (ConsoleFleet.Unit unit = acme.vehicle("B-KB 1").connect()) {
      browser.load(null);
      Actions keys = new Actions(browser.driver);
      // the sign-in form has the focus on Client ID
      keys.sendKeys(acme.clientId).sendKeys(Keys.TAB).sendKeys(acme.secret).sendKeys(Keys.ENTER).perform();
      browser.waitFor("signed in", d -> !d.findElements(By.cssSelector("nav")).isEmpty());
      tabTo(unit.vehicleId);
      keys.sendKeys(Keys.ENTER).perform();
      browser.waitFor("online", d -> d.findElement(By.cssSelector("dl.details")).getText().contains("Online"));
      tabTo("Unlock central lock");
      keys.sendKeys(Keys.ENTER).perform();
      browser.waitFor("SUCCEEDED", d -> d.findElement(By.cssSelector(".command-status")).getText()
          .equals("Unlock central lock: SUCCEEDED"));
    }
  }

  private void tabTo(String text) {
    Actions keys = new Actions(browser.driver);
    for (int i = 0; i < 80; i++) {
      keys.sendKeys(Keys.TAB).perform();
      if (text.equals(browser.driver.switchTo().activeElement().getText())) {
        return;
      }
    }
    throw new AssertionError("no focusable element '" + text + "' within 80 tabs");
  }

  @Test
  void readableOnA390PixelWidePhone() {
    ConsoleFleet.Unit unit = acme.vehicle("B-PH 1");
    browser.driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        java.util.Map.of("width", 390, "height", 844, "deviceScaleFactor", 2, "mobile", true));
    try {
      browser.signIn(acme.clientId, acme.secret);
      for (String page : List.of("#/vehicles", "#/vehicles/" + unit.vehicleId, "#/sharing", "#/events")) {
        browser.driver.get(browser.base + "/console/" + page);
        browser.waitFor(page, d -> !d.findElements(By.cssSelector("main h1")).isEmpty());
        // wide tables scroll inside their own box; the page itself never scrolls sideways
        assertEquals(390L, browser.script("return document.documentElement.scrollWidth"), page);
      }
    } finally {
      browser.driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", java.util.Map.of());
    }
  }

  @Test
  void everyPageHasNoSeriousAccessibilityViolations() throws Exception {
    ConsoleFleet.Unit unit = acme.vehicle("B-AX 1");
    browser.load(null);
    assertEquals(List.of(), browser.accessibilityViolations(), "sign-in");
    browser.signIn(acme.clientId, acme.secret);
    for (String page : List.of("#/vehicles", "#/vehicles/" + unit.vehicleId, "#/map", "#/sharing", "#/archive", "#/events")) {
      browser.driver.get(browser.base + "/console/" + page);
      browser.waitFor(page, d -> !d.findElements(By.cssSelector("main h1")).isEmpty()
          && !d.findElement(By.tagName("main")).getText().contains("Loading"));
      assertEquals(List.of(), browser.accessibilityViolations(), page);
    }
    browser.signIn(TestGateway.ADMIN_ID, TestGateway.ADMIN_SECRET);
    browser.driver.get(browser.base + "/console/#/fleets/acme");
    browser.field("Client name");
    assertEquals(List.of(), browser.accessibilityViolations(), "fleet");
  }
}
