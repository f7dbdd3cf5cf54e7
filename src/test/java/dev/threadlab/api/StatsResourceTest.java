package dev.threadlab.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No accepted job is ever dropped: submitted = finished + in flight, sampled while jobs are accepted and end. The
 * drain is checked on a pool only this test uses (other test classes share the application).
 */
@QuarkusTest
class StatsResourceTest {

    @Test
    void theAccountsBalanceUnderConcurrentLoadAndDrainToZero() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<?>> load = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            int client = c;
            load.add(clients.submit(() -> {
                for (int i = 0; i < 40; i++) {
                    String pool = List.of("cpu", "io", "gil", "acct", "acct").get((client + i) % 5);
                    given().contentType(ContentType.JSON)
                            .body("{\"workload\":\"io\",\"pool\":\"" + pool + "\",\"tasks\":2,\"params\":{\"durationMs\":5}}")
                            .post("/jobs").then().statusCode(anyOf(is(202), is(503)));
                }
            }));
        }
        int samples = 0;
        while (load.stream().anyMatch(f -> !f.isDone())) {
            JsonPath stats = given().get("/stats").then().statusCode(200).extract().jsonPath();
            assertTrue(stats.getBoolean("balanced"), stats.prettify());
            samples++;
        }
        for (Future<?> f : load) {
            f.get(60, TimeUnit.SECONDS);
        }
        clients.shutdown();
        assertTrue(samples > 0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonPath stats;
        do {
            stats = given().get("/stats").then().extract().jsonPath();
        } while (stats.getLong("byPool.acct.inFlight") > 0 && System.nanoTime() < deadline);
        assertEquals(0, stats.getLong("byPool.acct.inFlight"), stats.prettify());
        assertEquals(stats.getLong("byPool.acct.submitted"), stats.getLong("byPool.acct.finished"));
        assertTrue(stats.getLong("byPool.acct.rejected") > 0, "the small pool refused some jobs: " + stats.prettify());
        assertTrue(stats.getBoolean("balanced"));
        given().get("/pools/acct").then().statusCode(200).body("jobs.inFlight", is(0));
    }
}
