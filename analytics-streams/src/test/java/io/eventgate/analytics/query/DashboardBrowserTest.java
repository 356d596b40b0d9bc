package io.eventgate.analytics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventgate.analytics.AnalyticsStreamsApp;
import io.eventgate.avro.RequestEvent;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.Topics;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The dashboard in headless Chromium: it loads, shows a route's figures once traffic arrives, and logs no errors. */
@ExtendWith(KafkaExtension.class)
class DashboardBrowserTest {
    /** Debian's packages, which {@code ./gateway test} installs; {@code -Dbrowser.chromium} and {@code -Dbrowser.chromedriver} point elsewhere. */
    static final File CHROMIUM = new File(System.getProperty("browser.chromium", "/usr/bin/chromium"));
    static final File CHROMEDRIVER = new File(System.getProperty("browser.chromedriver", "/usr/bin/chromedriver"));

    @Test
    void theDashboardShowsARoutesFiguresAfterTrafficWithoutConsoleErrors(TestKafka kafka, @TempDir Path state, @TempDir Path profile) throws Exception {
        assertThat(CHROMIUM.canExecute()).as("Chromium at %s: run the tests with ./gateway test, which installs it", CHROMIUM).isTrue();
        assertThat(CHROMEDRIVER.canExecute()).as("ChromeDriver at %s: run the tests with ./gateway test, which installs it", CHROMEDRIVER).isTrue();
        Topics topics = new Topics(kafka.topicPrefix());
        kafka.createTopics(topics.newTopics(2, (short) 1));
        ContractSerdes serdes = ContractSerdes.of(kafka.registryUrl());
        WebDriver browser = null;
        try (AnalyticsStreamsApp app = AnalyticsStreamsApp.start(QueryApiOnBrokerTest.settings(kafka, state));
             var producer = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(), serdes.<RequestEvent>serde(Topic.REQUESTS).serializer())) {
            String dashboard = "http://127.0.0.1:" + app.queryPort() + "/";
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    http.send(HttpRequest.newBuilder(URI.create(dashboard + "health")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);

            browser = headlessChromium(profile);
            browser.get(dashboard);
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
            wait.until(page -> page.findElement(By.id("status")).getText().startsWith("updated"));
            assertThat(browser.findElements(By.cssSelector("#routes td.empty"))).as("no traffic yet").hasSize(1);

            Instant at = Instant.now().truncatedTo(ChronoUnit.MINUTES).minusSeconds(30);
            for (int i = 0; i < 40; i++) {
                Instant t = at.plusMillis(i * 10L);
                producer.send(new ProducerRecord<>(topics.requests(), null, t.toEpochMilli(), "acme",
                        QueryApiOnBrokerTest.event("d" + i, t, "checkout", "acme", i < 36 ? 200 : 500)));
            }
            producer.flush();

            // the page refreshes itself every 5 s: wait for it to show the route, its count and its error rate
            new WebDriverWait(browser, Duration.ofSeconds(45)).until(page -> cell(page, "#routes tr[data-route='checkout'] td.requests").equals("40"));
            assertThat(cell(browser, "#routes tr[data-route='checkout'] td.errors")).isEqualTo("10.0 %");
            assertThat(cell(browser, "#consumers td.consumer")).isEqualTo("acme");
            new WebDriverWait(browser, Duration.ofSeconds(15)).until(page -> page.findElements(By.cssSelector("#latency polyline")).size() == 3);
            assertThat(browser.findElement(By.id("chart-route")).getText()).isEqualTo("checkout");
            new WebDriverWait(browser, Duration.ofSeconds(15)).until(page -> page.findElements(By.cssSelector("#status-classes polyline")).size() == 4);
            assertThat(browser.findElements(By.cssSelector("#decisions"))).as("the decisions chart").hasSize(1);
            assertThat(browser.findElements(By.cssSelector("#anomaly-timeline"))).as("the anomalies timeline").hasSize(1);
            // read in one script, as the page redraws its charts every 5 s
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> charts = (Map<String, Map<String, Object>>) ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("""
                    const read = (chart, legend) => ({
                      times: [...document.querySelectorAll('#' + chart + ' text.time-tick')].map(t => t.textContent),
                      values: [...document.querySelectorAll('#' + chart + ' text.value-tick')].map(t => t.textContent),
                      lines: Object.fromEntries([...document.querySelectorAll('#' + chart + ' polyline')]
                        .map(l => [l.dataset.series, getComputedStyle(l).stroke])),
                      swatches: Object.fromEntries([...document.querySelectorAll('#' + legend + ' span')]
                        .map(s => [s.dataset.series, getComputedStyle(s.querySelector('i')).backgroundColor]))});
                    return { latency: read('latency', 'latency-legend'), status: read('status-classes', 'status-legend') };""");
            for (var chart : charts.entrySet()) {
                Map<String, Object> figures = chart.getValue();
                assertThat((List<String>) figures.get("times")).as(chart.getKey() + ": a time axis every 5 minutes over 30").hasSizeGreaterThanOrEqualTo(5)
                        .allSatisfy(tick -> assertThat(tick).matches("\\d\\d:\\d\\d"));
                assertThat((List<String>) figures.get("values")).as(chart.getKey() + ": values with their unit").isNotEmpty()
                        .allSatisfy(tick -> assertThat(tick).endsWith(chart.getKey().equals("latency") ? " ms" : " /s"));
                Map<String, String> lines = (Map<String, String>) figures.get("lines");
                Map<String, String> swatches = (Map<String, String>) figures.get("swatches");
                assertThat(swatches.keySet()).as(chart.getKey() + ": a legend entry per line").isEqualTo(lines.keySet());
                lines.forEach((series, stroke) -> assertThat(rgb(swatches.get(series))).as(chart.getKey() + " " + series + ": legend colour = line colour")
                        .isEqualTo(rgb(stroke)));
            }

            browser.findElement(By.cssSelector("#consumers tr[data-consumer='acme']")).click();
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(page -> cell(page, "#usage td.requests").equals("40"));
            assertThat(browser.findElement(By.id("usage-consumer")).getText()).isEqualTo("acme");
            try (var policies = new KafkaProducer<>(kafka.producerConfig(Map.of()), new StringSerializer(),
                    serdes.<io.eventgate.avro.PolicyEntity>serde(Topic.POLICIES).serializer())) {
                policies.send(new ProducerRecord<>(topics.policies(), "route:checkout", io.eventgate.avro.PolicyEntity.newBuilder()
                        .setEntityKey("route:checkout").setEntityType(io.eventgate.avro.PolicyEntityType.ROUTE).setEntityId("checkout").setVersion(1)
                        .setSpec("{\"id\":\"checkout\",\"match\":{\"paths\":[\"/checkout/**\"]},\"anonymous\":false,\"info\":{\"owner\":\"team-pay\",\"api\":\"payments\"}}")
                        .setChecksum("x").setSourceCommandId("c-1").setValidatedAt(Instant.now()).build())).get();
            }
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(page -> cell(page, "#catalog td.api").equals("payments"));
            assertThat(cell(browser, "#catalog td.owners")).isEqualTo("team-pay");
            assertThat(cell(browser, "#catalog td.authentication")).isEqualTo("required");
            // the picture docs/images/dashboard.png is taken from
            java.nio.file.Files.copy(((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(org.openqa.selenium.OutputType.FILE).toPath(),
                    Path.of("target", "dashboard.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

            List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
            assertThat(errors).as("console errors").isEmpty();
        } finally {
            if (browser != null) {
                browser.quit();
            }
        }
    }

    /** The red, green and blue of a CSS colour, whatever its notation (rgb(...) or rgba(..., 1)). */
    static List<Integer> rgb(String colour) {
        List<Integer> channels = new java.util.ArrayList<>();
        var numbers = java.util.regex.Pattern.compile("\\d+").matcher(colour);
        while (numbers.find() && channels.size() < 3) {
            channels.add(Integer.parseInt(numbers.group()));
        }
        assertThat(channels).as("a colour: " + colour).hasSize(3);
        return channels;
    }

    static String cell(WebDriver page, String selector) {
        List<org.openqa.selenium.WebElement> cells = page.findElements(By.cssSelector(selector));
        return cells.isEmpty() ? "" : cells.get(0).getText();
    }

    /** Flags as this machine needs them: no sandbox as root, and no background connections to a closed network. */
    static WebDriver headlessChromium(Path profile) {
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless", "--window-size=1400,1800", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
