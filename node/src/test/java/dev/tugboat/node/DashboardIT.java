package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tugboat.http.auth.TokenHash;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium against a production node (real broker, simulated
 * Kubernetes, HTTP): an operator signs in with the token form, a simulation deployed by the SO
 * appears in the list, its page shows a row and a bar per model, and the models' bars end, coloured
 * by outcome with their exit codes, while the page stays the same document (no reload); a model
 * held because its pod cannot be created is abandoned with the operator's button; a running
 * simulation is terminated with the operator's button (its models end FAILED with exit code 201,
 * on the page without a reload and as ModelHasTerminated at the SO); signed in
 * again as a viewer (after an unknown token is refused), the page of a simulation whose third model
 * waits for a pod (at most two live pods) shows its queue position and no operator button.
 * Screenshots go to target/dashboard-list.png, target/dashboard.png, target/dashboard-terminated.png
 * and target/dashboard-waiting.png. Chromium and chromedriver
 * are Debian's ({@code chromium chromium-driver}; .ci/run installs them), named explicitly so
 * Selenium Manager never tries to download a driver.
 */
class DashboardIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String SIMULATION = "sim-dash";
  private static final Duration UI_WAIT = Duration.ofSeconds(30);
  private static final Pattern WAITING = Pattern.compile("^waiting for admission at queue position 1: ");

  @Test
  void simulationsAppearAndTheirModelsEndWithoutReloadingThePage() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "DashboardIT needs headless Chromium: " + CHROMIUM + " and " + CHROMEDRIVER
            + " (Debian packages chromium chromium-driver) are not installed");
    try (TestStack stack = TestStack.start(Duration.ofSeconds(2))) {
      String viewerToken = TokenHash.newToken();
      Path tokens = stack.dataDir.resolve("dashboard-tokens");
      Files.writeString(tokens, TokenHash.of(stack.operatorToken) + " operator tests\n"
          + TokenHash.of(viewerToken) + " viewer watcher\n");
      // At most two live pods, so that a third model waits in the admission queue and says so; a
      // pod that cannot be created is held for an operator after a short bounded retry.
      try (TugboatNode node = stack.startNode(Map.of("tugboat.http.auth.tokens-file", tokens.toString(),
          "tugboat.kubernetes.max-pods", 2, "tugboat.entities.hold-on-failure", true,
          "tugboat.kubernetes.retry.give-up-after", "2s", "tugboat.kubernetes.retry.max-backoff", "500ms"));
          SimulatedSo so = stack.so()) {
        watchAsOperatorThenAsViewer(stack, node, so, viewerToken);
      }
    }
  }

  private static void watchAsOperatorThenAsViewer(TestStack stack, TugboatNode node, SimulatedSo so,
      String viewerToken) throws Exception {
    ChromeDriver browser = startBrowser();
    try {
      // The page redraws rows as events arrive, so an element found a moment ago may be gone.
      WebDriverWait wait = new WebDriverWait(browser, UI_WAIT);
      wait.ignoring(StaleElementReferenceException.class);
      browser.get("http://127.0.0.1:" + node.httpPort() + "/");

      // A production node reads nothing anonymously: the page asks for a token first.
      WebElement token = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
      token.sendKeys(stack.operatorToken);
      browser.findElement(By.cssSelector("#sign-in-form button[type=submit]")).click();
      wait.until(ExpectedConditions.textToBe(By.id("who-name"), "tests (operator)"));
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("list-view")));
      // A reload would start a new document and lose this.
      browser.executeScript("window.dashboardMarker = 'loaded once';");

      // m0 runs for a while after it is ready, m1 exits 2 right after reporting ready.
      so.deploy("dots-so", SIMULATION, List.of(
          model(stack, SIMULATION, "m0", 0, 12), model(stack, SIMULATION, "m1", 2, 0)), 1.0);

      By listRow = By.cssSelector("#simulations tr[data-simulation-id='" + SIMULATION + "']");
      wait.until(ExpectedConditions.visibilityOfElementLocated(listRow));
      screenshot(browser, "dashboard-list.png");

      click(wait, By.linkText(SIMULATION));
      By modelRows = By.cssSelector("#models tbody tr[data-model-id]");
      wait.until(ExpectedConditions.numberOfElementsToBe(modelRows, 2));
      String m0BarCss = "#timeline .bar[data-model-id='m0']";
      By m0Bar = By.cssSelector(m0BarCss);
      assertEquals("RUNNING", attribute(browser, m0BarCss, "data-outcome"),
          "m0 runs for 12 s after it is ready, so its bar is open when the page first shows it");
      assertTrue(browser.findElement(By.id("terminate")).isDisplayed(), "an operator sees the terminate button");

      WebDriverWait untilEnded = new WebDriverWait(browser, Duration.ofSeconds(60));
      untilEnded.ignoring(StaleElementReferenceException.class);
      untilEnded.until(ExpectedConditions.attributeToBe(m0Bar, "data-outcome", "SUCCEEDED"));
      untilEnded.until(ExpectedConditions.attributeToBe(
          By.cssSelector("#timeline .bar[data-model-id='m1']"), "data-outcome", "FAILED"));
      wait.until(ExpectedConditions.textToBe(
          By.cssSelector("#models tr[data-model-id='m1'] td.exit-code"), "2"));
      wait.until(ExpectedConditions.textToBe(By.id("simulation-phase"), "ENDED"));
      assertEquals("Live", text(browser, "#live"), "the page follows the event stream");
      assertEquals("0", text(browser, "#models tr[data-model-id='m0'] td.exit-code"));
      assertEquals("FAILED", text(browser, "#models tr[data-model-id='m1'] td.phase"));
      assertFalse(browser.findElement(By.id("terminate")).isDisplayed(), "an ended simulation cannot be terminated");

      click(wait, By.cssSelector("#models tr[data-model-id='m1'] button"));
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("log-lines")));
      wait.until(d -> !d.findElement(By.id("log-source")).getText().isEmpty());
      screenshot(browser, "dashboard.png");

      // Back to the list: the row has followed the simulation to its end.
      click(wait, By.linkText("← All simulations"));
      wait.until(ExpectedConditions.attributeToBe(listRow, "data-phase", "ENDED"));
      assertEquals("loaded once", browser.executeScript("return window.dashboardMarker;"),
          "the page was reloaded");

      // A model whose pod cannot be created is held; the operator abandons it from its row (a
      // cookie-carried change, so the server checks the page's Origin).
      stack.kubernetes.faults().errorRate(1.0);
      so.deploy("dots-so", "sim-dash-held", List.of(model(stack, "sim-dash-held", "m0", 0, 1)), 1.0);
      By heldRow = By.cssSelector("#simulations tr[data-simulation-id='sim-dash-held']");
      wait.until(ExpectedConditions.visibilityOfElementLocated(heldRow));
      click(wait, By.linkText("sim-dash-held"));
      By abandon = By.xpath("//tr[@data-model-id='m0']//button[text()='Abandon']");
      wait.until(ExpectedConditions.visibilityOfElementLocated(abandon));
      stack.kubernetes.faults().clear();
      assertTrue(text(browser, "#models tr[data-model-id='m0'] td.why").startsWith("held for an operator"),
          text(browser, "#models tr[data-model-id='m0'] td.why"));
      click(wait, abandon);
      wait.until(ExpectedConditions.alertIsPresent()).sendKeys("image cannot be pulled");
      browser.switchTo().alert().accept();
      wait.until(ExpectedConditions.attributeToBe(
          By.cssSelector("#timeline .bar[data-model-id='m0']"), "data-outcome", "FAILED"));
      wait.until(ExpectedConditions.textToBe(By.cssSelector("#models tr[data-model-id='m0'] td.exit-code"), "125"));
      assertTrue(text(browser, "#models tr[data-model-id='m0'] td.why").contains("image cannot be pulled"),
          text(browser, "#models tr[data-model-id='m0'] td.why"));
      click(wait, By.linkText("← All simulations"));

      // A running simulation is terminated from its page: the operator confirms with a reason, and
      // without a reload every model ends FAILED with exit code 201 and the simulation ENDED; the
      // SO is told so for each model. (Its pods are deleted at once, so both are free again for
      // the viewer's simulation below.)
      String stopped = "sim-dash-stop";
      so.deploy("dots-so", stopped, List.of(model(stack, stopped, "m0", 0, 120),
          model(stack, stopped, "m1", 0, 120)), 1.0);
      wait.until(ExpectedConditions.visibilityOfElementLocated(
          By.cssSelector("#simulations tr[data-simulation-id='" + stopped + "']")));
      click(wait, By.linkText(stopped));
      wait.until(ExpectedConditions.numberOfElementsToBe(modelRows, 2));
      for (String m : List.of("m0", "m1")) {
        untilEnded.until(ExpectedConditions.textToBe(
            By.cssSelector("#models tr[data-model-id='" + m + "'] td.phase"), "READY"));
      }
      wait.until(ExpectedConditions.elementToBeClickable(By.id("terminate")));
      click(wait, By.id("terminate"));
      wait.until(ExpectedConditions.alertIsPresent()).sendKeys("wrong parameters");
      browser.switchTo().alert().accept();
      for (String m : List.of("m0", "m1")) {
        untilEnded.until(ExpectedConditions.attributeToBe(
            By.cssSelector("#timeline .bar[data-model-id='" + m + "']"), "data-outcome", "FAILED"));
        wait.until(ExpectedConditions.textToBe(
            By.cssSelector("#models tr[data-model-id='" + m + "'] td.exit-code"), "201"));
        wait.until(ExpectedConditions.textToBe(
            By.cssSelector("#models tr[data-model-id='" + m + "'] td.phase"), "FAILED"));
      }
      wait.until(ExpectedConditions.textToBe(By.id("simulation-phase"), "ENDED"));
      wait.until(d -> text(browser, "#simulation-facts").contains("terminated by tests: wrong parameters"));
      assertFalse(browser.findElement(By.id("terminate")).isDisplayed(), "an ended simulation cannot be terminated");
      screenshot(browser, "dashboard-terminated.png");
      assertEquals("loaded once", browser.executeScript("return window.dashboardMarker;"),
          "the page was reloaded");
      List<SimulatedSo.Received> told = TestStack.receiveUntil(so, stopped,
          l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofSeconds(30));
      Map<String, Lifecycle.ModelHasTerminated> terminated = new TreeMap<>();
      for (SimulatedSo.Received r : told) {
        if (r.topic() instanceof Topic.ModelHasTerminated t) {
          assertEquals(null, terminated.put(t.modelId(), (Lifecycle.ModelHasTerminated) r.message()),
              "ModelHasTerminated is sent once per model: " + told);
        }
      }
      Lifecycle.ModelHasTerminated byOperator = Lifecycle.ModelHasTerminated.newBuilder()
          .setStatus(Lifecycle.TerminationStatus.FAILED).setExitCode(ExitCodes.TERMINATED).build();
      assertEquals(Map.of("m0", byOperator, "m1", byOperator), terminated, told::toString);
      click(wait, By.linkText("← All simulations"));

      // Signing out shows the form again; an unknown token is refused there; a viewer sees a
      // running simulation without the operator's buttons.
      click(wait, By.id("sign-out"));
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys("tgb_not-a-known-token");
      click(wait, By.cssSelector("#sign-in-form button[type=submit]"));
      wait.until(ExpectedConditions.textToBe(By.id("sign-in-error"), "That token is not known."));
      WebElement field = browser.findElement(By.id("token"));
      field.clear();
      field.sendKeys(viewerToken);
      click(wait, By.cssSelector("#sign-in-form button[type=submit]"));
      wait.until(ExpectedConditions.textToBe(By.id("who-name"), "watcher (viewer)"));
      so.deploy("dots-so", "sim-dash-long", List.of(model(stack, "sim-dash-long", "m0", 0, 120),
          model(stack, "sim-dash-long", "m1", 0, 120), model(stack, "sim-dash-long", "m2", 0, 120)), 1.0);
      By longRow = By.cssSelector("#simulations tr[data-simulation-id='sim-dash-long']");
      wait.until(ExpectedConditions.visibilityOfElementLocated(longRow));
      click(wait, By.linkText("sim-dash-long"));
      wait.until(ExpectedConditions.numberOfElementsToBe(modelRows, 3));
      // Two models take both pods (which two is the gateway's choice); the third waits, and its
      // row says where in the queue.
      wait.until(d -> browser.findElements(By.cssSelector("#models td.why")).stream()
          .filter(cell -> WAITING.matcher(cell.getText()).find()).count() == 1);
      screenshot(browser, "dashboard-waiting.png");
      assertFalse(browser.findElement(By.id("terminate")).isDisplayed(), "a viewer sees no terminate button");
      assertEquals("loaded once", browser.executeScript("return window.dashboardMarker;"),
          "the page was reloaded");
    } finally {
      browser.quit();
    }
  }

  /** Debian's Chromium through Debian's chromedriver, headless; both paths given, so Selenium Manager stays out. */
  private static ChromeDriver startBrowser() {
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1280,1000");
    return new ChromeDriver(service, options);
  }

  /** Clicks the element, finding it again if the page redrew it in between. */
  private static void click(WebDriverWait wait, By locator) {
    wait.until(d -> {
      d.findElement(locator).click();
      return true;
    });
  }

  /** An attribute read in the page in one step (no element handle to go stale); null without the element. */
  private static String attribute(ChromeDriver browser, String css, String name) {
    return (String) browser.executeScript(
        "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
        css, name);
  }

  /** An element's text read in the page in one step; null without the element. */
  private static String text(ChromeDriver browser, String css) {
    return (String) browser.executeScript(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", css);
  }

  private static void screenshot(WebDriver browser, String name) throws Exception {
    File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
    Path target = Path.of("target", name);
    Files.createDirectories(target.getParent());
    Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
  }

  /** A fake model that exits {@code exitCode} (2: right after reporting ready), else after {@code runSeconds}. */
  private static ModelSpec model(TestStack stack, String simulationId, String modelId, int exitCode,
      int runSeconds) {
    return new ModelSpec(modelId, "fake_model:latest", List.of(
        new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(stack.mqttPort)),
        new EnvVar("SIMULATOR_ID", "dots-so"), new EnvVar("SIMULATION_ID", simulationId),
        new EnvVar("MODEL_ID", modelId), new EnvVar("EXIT_CODE", Integer.toString(exitCode)),
        new EnvVar("FAKE_MODEL_RUN_SECONDS", Integer.toString(runSeconds))));
  }
}
