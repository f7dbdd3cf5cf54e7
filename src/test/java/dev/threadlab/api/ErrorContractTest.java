package dev.threadlab.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static dev.threadlab.api.JobResourceTest.PROBLEM;
import static dev.threadlab.api.JobResourceTest.submit;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

/** Bad input always gets a clear problem+json 4xx naming what is wrong, never a 5xx or an internal name. */
@QuarkusTest
class ErrorContractTest {

    private static void invalid(String body, String field, String detailPart) {
        submit(body).then().statusCode(400).contentType(PROBLEM)
                .body("type", containsString("/problems/"))
                .body("title", notNullValue())
                .body("status", equalTo(400))
                .body("field", equalTo(field))
                .body("detail", containsString(detailPart))
                .body("detail", not(containsString("dev.threadlab")))
                .body("detail", not(containsString("java.")));
    }

    @Test
    void validationErrorsNameTheFieldTheValueAndTheRange() {
        invalid("{\"workload\":\"cpu\",\"tasks\":0}", "tasks", "1 to 256");
        invalid("{\"workload\":\"cpu\",\"tasks\":257}", "tasks", "1 to 256");
        invalid("{\"workload\":\"cpu\",\"tasks\":\"many\"}", "tasks", "whole number");
        invalid("{\"workload\":\"cpu\",\"tasks\":99999999999999999999999}", "tasks", "1 to 256");
        invalid("{\"workload\":\"cpu\",\"timeoutMs\":-5}", "timeoutMs", "1 to 3600000");
        invalid("{\"workload\":\"io\",\"params\":{\"durationMs\":60001}}", "params.durationMs", "0 to 60000");
        invalid("{\"workload\":\"file\",\"params\":{\"bytes\":67108865}}", "params.bytes", "1 to 67108864");
        invalid("{\"workload\":\"cpu\",\"params\":{\"iterations\":1.5}}", "params.iterations", "whole number");
        invalid("{\"workload\":\"cpu\",\"params\":{\"iterations\":1e400}}", "params.iterations", "whole number");
        invalid("{\"workload\":\"cpu\",\"params\":{\"failProbability\":2}}", "params.failProbability", "0.0 to 1.0");
        invalid("{\"workload\":\"counter\",\"params\":{\"sync\":\"maybe\"}}", "params.sync", "[none, lock, atomic]");
        invalid("{\"workload\":\"cpu\",\"params\":{\"bogus\":1}}", "params.bogus", "iterations");
        invalid("{\"workload\":\"cpu\",\"task\":3}", "task", "tasks");
        invalid("{\"workload\":{\"a\":1}}", "workload", "string");
        invalid("{\"workload\":\"cpu\",\"params\":[1]}", "params", "object");
    }

    @Test
    void unknownWorkloadOrPoolListsTheValidNames() {
        invalid("{\"workload\":\"gpu\"}", "workload", "[cpu, io, file, mixed, counter]");
        invalid("{\"workload\":\"cpu\",\"pool\":\"nope\"}", "pool", "cpu");
        invalid("{}", "workload", "cpu");
    }

    @Test
    void malformedJsonAndMissingBodiesAre400() {
        submit("{\"workload\":\"cpu\",").then().statusCode(400).contentType(PROBLEM)
                .body("type", containsString("malformed-json")).body("detail", containsString("line 1"));
        submit("{\"workload\":\"cpu\"} trailing").then().statusCode(400).contentType(PROBLEM);
        submit("[1,2]").then().statusCode(400).contentType(PROBLEM);
        given().contentType(ContentType.JSON).post("/jobs").then().statusCode(400).contentType(PROBLEM);
    }

    @Test
    void bodiesOver64KiBAre413() {
        String big = "{\"workload\":\"cpu\",\"pool\":\"" + "x".repeat(70_000) + "\"}";
        submit(big).then().statusCode(413).contentType(PROBLEM).body("type", containsString("body-too-large"));
    }

    @Test
    void aJobThatDoesNotFitItsPoolIsRejectedWholeWith503AndRetryAfter() {
        // pool "tiny" holds 2 tasks (1 thread + 1 queued)
        submit("{\"workload\":\"cpu\",\"pool\":\"tiny\",\"tasks\":3,\"params\":{\"iterations\":1}}")
                .then().statusCode(503).contentType(PROBLEM)
                .header("Retry-After", notNullValue())
                .body("type", containsString("pool-saturated"))
                .body("detail", containsString("tiny"));
    }

    @Test
    void wrongMethodsMediaTypesAndPathsAreProblems() {
        given().contentType("text/plain").body("hi").post("/jobs").then().statusCode(415).contentType(PROBLEM);
        given().put("/jobs").then().statusCode(405).contentType(PROBLEM);
        given().get("/nothing-here").then().statusCode(404).contentType(PROBLEM);
        given().queryParam("timeout", "soon").get("/jobs/qtest-aaaaaaaaaaaaaaaa/join").then().statusCode(404);
    }

    @Test
    void badDurationsAre400() {
        String id = JobResourceTest.submitId("{\"workload\":\"cpu\",\"params\":{\"iterations\":1}}");
        given().queryParam("timeout", "soon").get("/jobs/" + id + "/join").then().statusCode(400)
                .contentType(PROBLEM).body("field", equalTo("timeout"));
        given().contentType(ContentType.JSON).queryParam("wait", "-1").body("{\"workload\":\"cpu\"}").post("/jobs")
                .then().statusCode(400).body("field", equalTo("wait"));
    }
}
