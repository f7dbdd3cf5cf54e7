package dev.threadlab.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console in a real browser: Debian's chromium, driven through its chromedriver (no test tool downloads a
 * browser). Skipped, loudly, only where no Chromium is installed; {@code .ci/run} installs it and sets
 * {@code THREADLAB_BROWSER_TESTS=required}, which turns a missing browser into a failure. Screenshots go to
 * {@code target/screenshots}.
 */
@QuarkusTest
class ConsoleBrowserTest {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static WebDriver browser;

    @BeforeAll
    static void startBrowser() throws IOException {
        boolean installed = new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
        if (!installed) {
            String why = "no Chromium here (" + CHROMIUM + ", " + CHROMEDRIVER + "): apt-get install chromium chromium-driver";
            if ("required".equals(System.getenv("THREADLAB_BROWSER_TESTS"))) {
                throw new AssertionError("the browser tests are required, but " + why);
            }
            System.err.println("SKIPPED the console's browser tests: " + why);
            Assumptions.abort(why);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--window-size=1280,800",
                "--user-data-dir=" + Files.createTempDirectory("threadlab-chromium"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private static WebDriverWait waitUpTo(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    private static void open() {
        browser.manage().window().setSize(new Dimension(1280, 800));
        browser.get(RestAssured.baseURI + ":" + RestAssured.port + "/");
        waitUpTo(20).until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        browser.manage().logs().get(LogType.BROWSER); // what earlier tests logged is theirs
    }

    private static void screenshot(WebElement element, String name) throws IOException {
        File shot = element.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void thePageLoadsWithoutErrorsAndThePoolsUpdateLive() throws IOException {
        open();
        waitUpTo(10).until(d -> d.findElements(By.cssSelector("#pool-cards article[data-pool=cpu]")).size() == 1);
        assertEquals("qtest", browser.findElement(By.id("served-by")).getText());
        waitUpTo(10).until(d -> "qtest".equals(d.findElement(By.id("streaming-from")).getText()));
        // the cards move with the work: a job on the cpu pool shows up as running tasks
        String job = RestAssured.given().contentType("application/json")
                .body("{\"workload\":\"io\",\"pool\":\"cpu\",\"tasks\":2,\"params\":{\"durationMs\":5000}}").post("/jobs")
                .then().statusCode(202).extract().path("id");
        waitUpTo(10).until(d -> d.findElement(By.cssSelector("#pool-cards article[data-pool=cpu]")).getText()
                .matches("(?s).*running tasks\\s*2.*"));
        RestAssured.given().delete("/jobs/" + job);
        screenshot(browser.findElement(By.tagName("body")), "console.png");
        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertEquals(List.of(), errors, "the page logged errors");
    }

    @Test
    void aJobFromTheFormRunsToSuccessWithItsProgressAndAFieldErrorShowsBesideItsField() {
        open();
        new Select(browser.findElement(By.id("job-workload"))).selectByValue("io");
        WebElement duration = browser.findElement(By.id("param-durationMs"));
        duration.clear();
        duration.sendKeys("300");
        WebElement tasks = browser.findElement(By.id("job-tasks"));
        tasks.clear();
        tasks.sendKeys("3");
        assertTrue(browser.findElement(By.id("job-curl")).getText().contains("\"durationMs\":300"));
        browser.findElement(By.cssSelector("#job-form button[type=submit]")).click();
        waitUpTo(20).until(d -> "SUCCEEDED".equals(d.findElement(By.id("job-state")).getText()));
        WebElement progress = browser.findElement(By.id("job-progress"));
        assertEquals("3", progress.getDomProperty("value"));
        assertTrue(browser.findElement(By.id("job-progress-text")).getText().contains("3 of 3"));
        assertTrue(browser.findElement(By.id("job-result")).getText().contains("chunkLatency"));

        tasks.clear();
        tasks.sendKeys("0");
        browser.findElement(By.cssSelector("#job-form button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("error-tasks")).getText().contains("'tasks'"));
        duration.clear();
        duration.sendKeys("9999999");
        tasks.clear();
        tasks.sendKeys("1");
        browser.findElement(By.cssSelector("#job-form button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("error-params.durationMs")).getText().contains("durationMs"));
    }

    @Test
    void aPresetsChartAppears() {
        open();
        new Select(browser.findElement(By.id("experiment-preset"))).selectByValue("convoy");
        browser.findElement(By.id("experiment-run")).click();
        waitUpTo(120).until(d -> {
            List<WebElement> charts = d.findElements(By.cssSelector("#experiment-output img[data-experiment]"));
            return !charts.isEmpty() && (Boolean) ((JavascriptExecutor) d)
                    .executeScript("return arguments[0].complete && arguments[0].naturalWidth > 0", charts.get(0));
        });
        assertTrue(browser.findElements(By.cssSelector("#experiment-output table tbody tr")).size() >= 3);
    }

    @Test
    void theGilLessonShowsTheTimelineLanesAndItsResult() throws IOException {
        open();
        browser.findElement(By.id("lesson-gil-cpu")).click();
        waitUpTo(20).until(d -> {
            String lanes = d.findElement(By.id("timeline-canvas")).getDomAttribute("data-lanes");
            return lanes != null && Integer.parseInt(lanes) >= 2;
        });
        screenshot(browser.findElement(By.id("timeline")), "gil-timeline.png");
        waitUpTo(60).until(d -> d.findElement(By.id("lesson-gil-cpu-result")).getText().contains("speedup"));
    }

    @Test
    void thePageFitsAPhone() {
        open();
        browser.manage().window().setSize(new Dimension(390, 844));
        String tooWide = "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
                + " > window.innerWidth + 1).map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 10).join(' ')";
        try {
            waitUpTo(5).until(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
                    "return document.documentElement.scrollWidth <= window.innerWidth + 1"));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("wider than a phone: " + ((JavascriptExecutor) browser).executeScript(tooWide), e);
        }
        for (WebElement control : browser.findElements(By.cssSelector("main input, main select, main textarea"))) {
            String id = control.getDomAttribute("id");
            boolean labelled = !browser.findElements(By.cssSelector("label[for='" + id + "']")).isEmpty()
                    || control.getDomAttribute("aria-label") != null;
            assertTrue(labelled, "control " + id + " has a label");
        }
    }
}
