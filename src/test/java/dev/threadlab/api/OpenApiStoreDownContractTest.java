package dev.threadlab.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static dev.threadlab.testing.Admin.TOKEN;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An instance of a shared store whose Redis does not answer (nothing listens on its port): it starts, stays ready
 * and serves its own jobs, while what needs the store is a 503 {@code store-unavailable} with a Retry-After, as the
 * document lists ({@link OpenApiContractTest#DRIVEN_WITH_STORE_DOWN}).
 */
@QuarkusTest
@TestProfile(OpenApiStoreDownContractTest.RedisDown.class)
class OpenApiStoreDownContractTest {

    public static class RedisDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // port 1 on loopback: nothing listens there, so every connection is refused at once
            return Map.of("threadlab.store", "redis", "quarkus.redis.hosts", "redis://127.0.0.1:1");
        }
    }

    private static final String OTHER_INSTANCES_JOB = "zzzz-aaaaaaaaaaaaaaaa";
    private static final String OTHER_INSTANCES_EXPERIMENT = "zzzz-bbbbbbbbbbbbbbbb";

    @Test
    void whatNeedsTheStoreIs503WhileTheInstanceServesItsOwnJobs() {
        OpenApiContract api = new OpenApiContract();
        assertEquals(Set.of("getJob", "listJobs", "cancelJob", "getExperiment", "getExperimentChart", "updatePool"),
                OpenApiContractTest.DRIVEN_WITH_STORE_DOWN.keySet(),
                "this test drives these operations' 503: teach it any other status said to be driven with the store down");
        api.call("getJob", "another instance's job", 503, Map.of("id", OTHER_INSTANCES_JOB), r -> r);
        api.call("listJobs", "the cluster-wide list", 503, r -> r);
        api.call("cancelJob", "another instance's job", 503, Map.of("id", OTHER_INSTANCES_JOB), r -> r);
        api.call("getExperiment", "another instance's experiment", 503, Map.of("id", OTHER_INSTANCES_EXPERIMENT), r -> r);
        api.call("getExperimentChart", "another instance's experiment", 503, Map.of("id", OTHER_INSTANCES_EXPERIMENT), r -> r);
        api.call("updatePool", "a change the other instances cannot be told of", 503, Map.of("name", "tiny"),
                r -> r.contentType(ContentType.JSON).body("{\"threads\":1}").header("Authorization", "Bearer " + TOKEN));
        api.assertNoFailures();

        given().get("/jobs/" + OTHER_INSTANCES_JOB).then().statusCode(503)
                .body("type", equalTo("https://threadlab.dev/problems/store-unavailable"))
                .header("Retry-After", "2");
        String own = given().contentType(ContentType.JSON).body("{\"workload\":\"cpu\",\"params\":{\"iterations\":1000}}")
                .queryParam("wait", "10s").post("/jobs").then().statusCode(200).extract().path("id");
        given().get("/jobs/" + own).then().statusCode(200).body("state", equalTo("SUCCEEDED"));
        given().get("/jobs/" + own + "/join").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/stats").then().statusCode(200)
                .body("store.kind", equalTo("redis")).body("store.up", equalTo(false))
                .body("cluster.unavailable", startsWith("Redis"));
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("threadlab_store_up{store=\"redis\"} 0.0"));
    }
}
