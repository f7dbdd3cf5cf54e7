package dev.threadlab.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.threadlab.api.JobResourceTest.PROBLEM;
import static dev.threadlab.testing.Admin.asAdmin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class GilApiTest {

    @Test
    void gilPoolsDescribeTheirTokensAndLiveFigures() {
        given().contentType(ContentType.JSON).queryParam("wait", "30s")
                .body("{\"workload\":\"cpu\",\"pool\":\"gil\",\"tasks\":2,\"params\":{\"iterations\":20000000}}")
                .post("/jobs").then().statusCode(200);
        // after two CPU-bound tasks shared the token: it was held and waited for, it changed hands, probes measured
        given().get("/pools/gil").then().statusCode(200)
                .body("kind", equalTo("gil")).body("threads", equalTo(16))
                .body("interpreters", equalTo(1))
                .body("switchIntervalMs", equalTo(5.0f))
                .body("gil.heldRatio", allOf(greaterThan(0f), lessThanOrEqualTo(1f)))
                .body("gil.waitRatio", allOf(greaterThan(0f), lessThanOrEqualTo(1f)))
                .body("gil.switchesPerSecond", greaterThan(0f))
                .body("gil.forcedSwitches", greaterThan(0))
                .body("gil.voluntaryReleases", greaterThan(0))
                .body("gil.acquireLatencyMs.p99", greaterThan(0f))
                .body("gil.holdMs.p50", greaterThan(0f))
                .body("gil.probeLagMs.p50", notNullValue())
                .body("gil.perInterpreter.size()", equalTo(1));
        int processors = Runtime.getRuntime().availableProcessors();
        given().get("/pools/procs").then().statusCode(200)
                .body("interpreters", equalTo(processors))
                .body("gil.perInterpreter.size()", equalTo(processors));
    }

    /** Every forced switch is a switch: the pool never reports more forced switches than switches. */
    @Test
    void forcedSwitchesNeverOutnumberSwitches() {
        // one CPU-bound task: only the probe asks it to drop the token, and the token changes hands each time
        given().contentType(ContentType.JSON).queryParam("wait", "30s")
                .body("{\"workload\":\"cpu\",\"pool\":\"gil\",\"tasks\":1,\"params\":{\"iterations\":200000000}}")
                .post("/jobs").then().statusCode(200).body("state", equalTo("SUCCEEDED"));
        Map<String, Number> gil = given().get("/pools/gil").then().statusCode(200).extract().path("gil");
        assertTrue(gil.get("forcedSwitches").longValue() > 0, "the probe forced switches: " + gil);
        assertTrue(gil.get("forcedSwitches").longValue() <= gil.get("switches").longValue(), gil.toString());
        assertTrue(gil.get("forcedSwitchesPerSecond").doubleValue() <= gil.get("switchesPerSecond").doubleValue(), gil.toString());
    }

    @Test
    void aJobOnAGilPoolReportsItsTokenFigures() {
        given().contentType(ContentType.JSON).queryParam("wait", "30s")
                .body("{\"workload\":\"cpu\",\"pool\":\"gil\",\"tasks\":2,\"params\":{\"iterations\":5000000}}")
                .post("/jobs").then().statusCode(200)
                .body("state", equalTo("SUCCEEDED"))
                .body("result.checksumsAgree", equalTo(true))
                .body("result.gil.waitMs", greaterThan(0f))
                .body("result.gil.holdMs", greaterThan(0f))
                .body("result.gil.switches", greaterThanOrEqualTo(2))
                .body("result.gil.forcedReleases", greaterThan(0));
        given().contentType(ContentType.JSON).queryParam("wait", "30s")
                .body("{\"workload\":\"io\",\"pool\":\"gil\",\"tasks\":4,\"params\":{\"durationMs\":20,\"chunks\":2}}")
                .post("/jobs").then().statusCode(200)
                .body("result.gil.voluntaryReleases", equalTo(8));
    }

    @Test
    void theRaceDemoUnderTheGilNeverCountsTooMuchAndTheLockIsExact() {
        given().contentType(ContentType.JSON).queryParam("wait", "30s")
                .body("{\"workload\":\"counter\",\"pool\":\"gil\",\"tasks\":2,\"params\":{\"increments\":200000,\"sync\":\"none\"}}")
                .post("/jobs").then().statusCode(200)
                .body("result.expected", equalTo(400000)).body("result.actual", lessThanOrEqualTo(400000));
        given().contentType(ContentType.JSON).queryParam("wait", "30s")
                .body("{\"workload\":\"counter\",\"pool\":\"gil\",\"tasks\":3,\"params\":{\"increments\":100000,\"sync\":\"lock\"}}")
                .post("/jobs").then().statusCode(200)
                .body("result.lostUpdates", equalTo(0));
    }

    @Test
    void theSwitchIntervalChangesLiveAndIsValidated() {
        asAdmin().contentType(ContentType.JSON).body("{\"switchInterval\":\"1ms\"}").patch("/pools/procs")
                .then().statusCode(200).body("switchIntervalMs", equalTo(1.0f));
        asAdmin().contentType(ContentType.JSON).body("{\"switchInterval\":0.005}").patch("/pools/procs")
                .then().statusCode(200).body("switchIntervalMs", equalTo(5.0f));
        asAdmin().contentType(ContentType.JSON).body("{\"switchInterval\":\"10us\"}").patch("/pools/procs")
                .then().statusCode(400).contentType(PROBLEM).body("field", equalTo("switchInterval"));
        asAdmin().contentType(ContentType.JSON).body("{\"switchInterval\":\"2s\"}").patch("/pools/procs")
                .then().statusCode(400).body("detail", containsString("0.1ms to 1s"));
        asAdmin().contentType(ContentType.JSON).body("{\"switchInterval\":\"5ms\"}").patch("/pools/cpu")
                .then().statusCode(400).body("detail", containsString("only gil pools"));
    }
}
