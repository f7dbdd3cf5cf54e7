package dev.threadlab.metrics;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dashboard or alert rule can never reference a metric that does not exist: after every workload ran on every
 * pool kind, each metric name used by grafana/dashboards/threadlab.json and deploy/prometheus/alerts.yml must be
 * exported at /q/metrics.
 */
@QuarkusTest
class MetricsContractTest {

    private static final Pattern METRIC = Pattern.compile("\\b(?:threadlab|jvm|process|system|http_server)_[a-z_]+");
    private static final List<String> POOLS = List.of("cpu", "io", "gil", "tiny");

    private static final AtomicBoolean EXERCISED = new AtomicBoolean();

    /** Once per class, after the app is up (a static @BeforeAll runs before the test port is known). */
    @BeforeEach
    void exerciseEveryWorkloadOnEveryPoolKind() {
        if (!EXERCISED.compareAndSet(false, true)) {
            return;
        }
        for (String pool : POOLS) {
            for (String body : List.of(
                    "{\"workload\":\"cpu\",\"tasks\":2,\"params\":{\"iterations\":100000}}",
                    "{\"workload\":\"io\",\"tasks\":2,\"params\":{\"durationMs\":5}}",
                    "{\"workload\":\"file\",\"params\":{\"bytes\":4096}}",
                    "{\"workload\":\"mixed\",\"params\":{\"rounds\":2,\"ioMs\":1}}",
                    "{\"workload\":\"counter\",\"tasks\":2,\"params\":{\"increments\":10000,\"sync\":\"lock\"}}",
                    "{\"workload\":\"counter\",\"tasks\":2,\"params\":{\"increments\":10000,\"sync\":\"none\"}}",
                    "{\"workload\":\"cpu\",\"params\":{\"iterations\":10,\"failProbability\":1}}")) {
                String withPool = body.replaceFirst("\\{", "{\"pool\":\"" + pool + "\",");
                given().contentType(ContentType.JSON).queryParam("wait", "30s").body(withPool).post("/jobs")
                        .then().statusCode(200);
            }
        }
    }

    private static Set<String> namesIn(String file) throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher matcher = METRIC.matcher(Files.readString(Path.of(file)));
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }

    private static Set<String> exported() {
        Set<String> names = new TreeSet<>();
        for (String line : given().get("/q/metrics").then().statusCode(200).extract().asString().split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    @Test
    void everyMetricTheDashboardUsesIsExported() throws IOException {
        Set<String> used = namesIn("grafana/dashboards/threadlab.json");
        assertTrue(used.size() > 20, "the dashboard uses " + used);
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exported());
        assertEquals(Set.of(), missing, "metrics the dashboard queries but /q/metrics lacks");
    }

    @Test
    void everyMetricTheAlertRulesUseIsExported() throws IOException {
        Set<String> used = namesIn("deploy/prometheus/alerts.yml");
        assertFalse(used.isEmpty());
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exported());
        assertEquals(Set.of(), missing, "metrics the alert rules query but /q/metrics lacks");
    }

    @Test
    void labelsAreBoundedAndUrisTemplated() {
        String metrics = given().get("/q/metrics").then().extract().asString();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("threadlab_")) {
                assertFalse(line.contains("id=\"") || line.contains("job=\""), "a job-specific label: " + line);
            }
        }
        assertFalse(metrics.matches("(?s).*uri=\"/jobs/qtest-.*"), "job ids never become URI labels");
        assertTrue(metrics.contains("threadlab_jobs_finished_total{pool=\"gil\",state=\"failed\",workload=\"cpu\"}")
                || metrics.contains("threadlab_jobs_finished_total{pool=\"gil\",workload=\"cpu\",state=\"failed\"}"),
                "lower-case states");
        assertTrue(metrics.contains("threadlab_jobs_rejected_total{pool=\"tiny\",reason=\"queue_full\"}"));
    }
}
