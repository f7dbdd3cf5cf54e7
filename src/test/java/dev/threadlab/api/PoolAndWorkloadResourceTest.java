package dev.threadlab.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static dev.threadlab.api.JobResourceTest.PROBLEM;
import static dev.threadlab.testing.Admin.asAdmin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

@QuarkusTest
class PoolAndWorkloadResourceTest {

    @Test
    void listsPoolsWithSettingsAndLiveFigures() {
        given().get("/pools").then().statusCode(200)
                .body("name", hasItems("cpu", "io", "tiny"));
        given().get("/pools/cpu").then().statusCode(200)
                .body("kind", equalTo("platform")).body("threads", equalTo(2))
                .body("queueCapacity", equalTo(10000))
                .body("live.threads", equalTo(2));
        // the live figures move with the work: a job's tasks are counted, a refused job is counted
        int completed = given().get("/pools/acct").then().extract().path("live.completedTasks");
        int rejected = given().get("/pools/acct").then().extract().path("live.rejectedJobs");
        given().contentType(ContentType.JSON).queryParam("wait", "10s")
                .body("{\"workload\":\"cpu\",\"pool\":\"acct\",\"tasks\":2,\"params\":{\"iterations\":1}}")
                .post("/jobs").then().statusCode(200);
        given().contentType(ContentType.JSON)
                .body("{\"workload\":\"cpu\",\"pool\":\"acct\",\"tasks\":7,\"params\":{\"iterations\":1}}")
                .post("/jobs").then().statusCode(503); // 2 threads + 4 queued hold 6 tasks at most
        given().get("/pools/acct").then().statusCode(200)
                .body("live.activeTasks", equalTo(0))
                .body("live.queuedTasks", equalTo(0))
                .body("live.completedTasks", equalTo(completed + 2))
                .body("live.rejectedJobs", equalTo(rejected + 1));
        given().get("/pools/io").then().statusCode(200)
                .body("kind", equalTo("virtual")).body("maxConcurrency", equalTo(10000));
        given().get("/pools/nope").then().statusCode(404).contentType(PROBLEM).body("detail", containsString("cpu"));
    }

    @Test
    void patchChangesAPoolLiveAndValidates() {
        asAdmin().contentType(ContentType.JSON).body("{\"threads\":3,\"queueCapacity\":5}").patch("/pools/tiny")
                .then().statusCode(200).body("threads", equalTo(3)).body("queueCapacity", equalTo(5))
                .body("live.threads", equalTo(3));
        asAdmin().contentType(ContentType.JSON).body("{\"threads\":1,\"queueCapacity\":1}").patch("/pools/tiny")
                .then().statusCode(200).body("threads", equalTo(1));
        asAdmin().contentType(ContentType.JSON).body("{\"threads\":0}").patch("/pools/tiny")
                .then().statusCode(400).contentType(PROBLEM).body("field", equalTo("threads"));
        asAdmin().contentType(ContentType.JSON).body("{\"threads\":5000}").patch("/pools/tiny")
                .then().statusCode(400).body("detail", containsString("1 to 1024"));
        asAdmin().contentType(ContentType.JSON).body("{\"threads\":4}").patch("/pools/io")
                .then().statusCode(400).body("detail", containsString("maxConcurrency"));
        asAdmin().contentType(ContentType.JSON).body("{\"maxConcurrency\":4}").patch("/pools/cpu")
                .then().statusCode(400).body("field", equalTo("maxConcurrency"));
        asAdmin().contentType(ContentType.JSON).body("{}").patch("/pools/cpu").then().statusCode(400);
        asAdmin().contentType(ContentType.JSON).body("{\"threads\":2}").patch("/pools/nope").then().statusCode(404);
    }

    @Test
    void describesEveryWorkloadWithItsParameters() {
        given().get("/workloads").then().statusCode(200)
                .body("name", hasItems("cpu", "io", "file", "mixed", "counter"))
                .body("find { it.name == 'cpu' }.defaultPool", equalTo("cpu"))
                .body("find { it.name == 'io' }.defaultPool", equalTo("io"))
                .body("find { it.name == 'cpu' }.params.find { it.name == 'iterations' }.max", equalTo(10000000000L))
                .body("find { it.name == 'io' }.params.find { it.name == 'durationMs' }.unit", equalTo("ms"))
                .body("find { it.name == 'counter' }.params.find { it.name == 'sync' }.values", hasItems("none", "lock", "atomic"))
                .body("find { it.name == 'file' }.params.find { it.name == 'failProbability' }.max", notNullValue());
    }

    @Test
    void servesOpenApiAndHealth() {
        given().get("/q/openapi").then().statusCode(200).body(containsString("/jobs/{id}/join"));
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
    }
}
