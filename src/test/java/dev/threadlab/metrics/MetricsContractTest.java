package dev.threadlab.metrics;

import dev.threadlab.testing.ExportedMetrics;
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
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dashboard or alert rule can never reference a metric that does not exist: after every workload ran on every
 * pool kind, each metric name used by grafana/dashboards/threadlab.json and deploy/prometheus/alerts.yml must be
 * exported at /q/metrics (http_server_requests_* too: the exercise itself makes requests; up comes from
 * Prometheus, not the service, and is not matched).
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

    @Test
    void everyMetricTheDashboardUsesIsExported() throws IOException {
        Set<String> used = namesIn("grafana/dashboards/threadlab.json");
        assertTrue(used.size() > 20, "the dashboard uses " + used);
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(ExportedMetrics.names());
        assertEquals(Set.of(), missing, "metrics the dashboard queries but /q/metrics lacks");
    }

    @Test
    void everyMetricTheAlertRulesUseIsExported() throws IOException {
        Set<String> used = namesIn("deploy/prometheus/alerts.yml");
        assertFalse(used.isEmpty());
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(ExportedMetrics.names());
        assertEquals(Set.of(), missing, "metrics the alert rules query but /q/metrics lacks");
    }

    /**
     * What the HTTP row and ThreadlabUnexpectedServerErrors rely on: a deliberate 503 (pool-saturated) is counted
     * with status="503" under its templated URI, so that excluding status 503 excludes exactly the on-purpose ones,
     * and a client error under the template, never the raw path.
     */
    @Test
    void deliberate503sAndClientErrorsAreCountedByStatusUnderTemplatedUris() {
        // pool "tiny" holds 2 tasks (1 thread + 1 queued): 3 are refused whole at once
        given().contentType(ContentType.JSON)
                .body("{\"workload\":\"cpu\",\"pool\":\"tiny\",\"tasks\":3,\"params\":{\"iterations\":1}}")
                .post("/jobs").then().statusCode(503).body("type", containsString("pool-saturated"));
        given().get("/jobs/qtest-no-such-job").then().statusCode(404);
        List<String> counts = given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(line -> line.startsWith("http_server_requests_seconds_count{")).toList();
        assertTrue(counts.stream().anyMatch(line -> line.contains("method=\"POST\"")
                && line.contains("status=\"503\"") && line.contains("uri=\"/jobs\"")
                && line.contains("outcome=\"SERVER_ERROR\"")), String.join("\n", counts));
        assertTrue(counts.stream().anyMatch(line -> line.contains("method=\"GET\"")
                && line.contains("status=\"404\"") && line.contains("uri=\"/jobs/{id}\"")), String.join("\n", counts));
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
