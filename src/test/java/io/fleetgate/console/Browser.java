package io.fleetgate.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by its own chromedriver, both by explicit path (so Selenium Manager never
 * downloads anything). Without them the tests are skipped locally but fail in CI ({@code CI=true}), where a
 * green run must mean the browser ran.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  final ChromeDriver driver;
  final String base;
  private final Path profile;

  private Browser(ChromeDriver driver, String base, Path profile) {
    this.driver = driver;
    this.base = base;
    this.profile = profile;
  }

  /** Skips (or, in CI, fails) when Debian's chromium and chromium-driver are not installed. */
  static void requireInstalled() {
    boolean there = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!there && "true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true but " + CHROMIUM + " / " + CHROMEDRIVER + " are missing: apt-get install chromium chromium-driver");
    }
    Assumptions.assumeTrue(there, "no " + CHROMIUM + " and " + CHROMEDRIVER + ": browser tests skipped");
  }

  static Browser open(String base, int width, int height) throws IOException {
    Path profile = Files.createTempDirectory("fleetgate-chromium-");
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "--lang=en-GB");
    o.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, o);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    return new Browser(driver, base, profile);
  }

  /** A fresh load of the console (the token lived in the old page only, so this asks to sign in). */
  void load(String hash) {
    driver.get(base + "/console/" + (hash == null ? "" : hash));
    waitFor("the console's first screen", d -> !d.findElements(By.cssSelector("main h1")).isEmpty());
  }

  void signIn(String clientId, String secret) {
    load(null);
    field("Client ID").sendKeys(clientId);
    field("Client secret").sendKeys(secret);
    button("Sign in").click();
    waitFor("signed in as " + clientId, d -> d.findElements(By.cssSelector("nav .who strong")).stream()
        .anyMatch(e -> e.getText().equals(clientId)));
  }

  /** The form control whose label (its accessible name) is {@code label}. */
  WebElement field(String label) {
    return waitFor("field " + label, d -> d.findElements(By.cssSelector("label.field")).stream()
        .filter(l -> l.findElement(By.tagName("span")).getText().equals(label)).findFirst()
        .map(l -> l.findElement(By.cssSelector("input, select"))).orElse(null));
  }

  WebElement button(String text) {
    return waitFor("button " + text, d -> d.findElements(By.tagName("button")).stream()
        .filter(b -> b.getText().equals(text) && b.isDisplayed() && b.isEnabled()).findFirst().orElse(null));
  }

  WebElement link(String text) {
    return waitFor("link " + text, d -> d.findElements(By.linkText(text)).stream().findFirst().orElse(null));
  }

  String alertText() {
    return driver.findElement(By.id("alert")).getText();
  }

  <T> T waitFor(String what, Function<WebDriver, T> condition) {
    return waitFor(what, 10, condition);
  }

  <T> T waitFor(String what, int seconds, Function<WebDriver, T> condition) {
    try {
      return new WebDriverWait(driver, Duration.ofSeconds(seconds)).withMessage(what)
          .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
          .until(d -> {
            T t = condition.apply(d);
            return t instanceof Boolean b && !b ? null : t;
          });
    } catch (org.openqa.selenium.TimeoutException e) {
      // what the operator would have seen, and what the page logged, make a failure readable
      throw new AssertionError("not within " + seconds + " s: " + what + "; page " + driver.getCurrentUrl() + " shows:\n"
          + driver.findElement(By.tagName("body")).getText() + "\nconsole: " + errors(false), e);
    }
  }

  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  /**
   * Errors the page logged since the last call: script errors, CSP violations, failed loads. A 4xx answer of
   * the API that the page shows as an alert (the test asked for it) is logged by Chromium as a failed load
   * too, so those are left out when {@code allowApiErrors}.
   */
  List<String> errors(boolean allowApiErrors) {
    List<String> out = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() < Level.SEVERE.intValue()) {
        continue;
      }
      String m = e.getMessage();
      boolean apiAnswer = m.contains("Failed to load resource: the server responded with a status of 4");
      if (!(allowApiErrors && apiAnswer)) {
        out.add(m);
      }
    }
    return out;
  }

  /** axe-core (injected by the test, never served by the product) on the current page: serious and critical. */
  @SuppressWarnings("unchecked")
  List<String> accessibilityViolations() throws IOException {
    String axe;
    try (InputStream in = Browser.class.getClassLoader().getResourceAsStream("axe.min.js")) {
      axe = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    script(axe);
    Object result = ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations"
        + ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        + ".map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))"
        + ".catch(e => done(['axe failed: ' + e]));");
    return (List<String>) result;
  }

  void assertNoErrors(boolean allowApiErrors) {
    assertEquals(List.of(), errors(allowApiErrors), "errors in the browser's console");
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temporary profile left behind is harmless
      }
    }
  }
}
