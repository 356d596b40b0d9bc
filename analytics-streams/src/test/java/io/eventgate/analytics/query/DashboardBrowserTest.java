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

            List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
            assertThat(errors).as("console errors").isEmpty();
        } finally {
            if (browser != null) {
                browser.quit();
            }
        }
    }

    static String cell(WebDriver page, String selector) {
        List<org.openqa.selenium.WebElement> cells = page.findElements(By.cssSelector(selector));
        return cells.isEmpty() ? "" : cells.get(0).getText();
    }

    /** Flags as this machine needs them: no sandbox as root, and no background connections to a closed network. */
    static WebDriver headlessChromium(Path profile) {
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
