package dev.threadlab.api;

import dev.threadlab.testing.SseClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/** Streams are bounded: beyond threadlab.streams.max-open a new one is a 503 problem, and a freed slot is reusable. */
@QuarkusTest
@TestProfile(EventStreamLimitTest.TwoStreams.class)
class EventStreamLimitTest {

    public static class TwoStreams implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("threadlab.streams.max-open", "2");
        }
    }

    private static URI uri(String path) {
        return URI.create(RestAssured.baseURI + ":" + RestAssured.port + path);
    }

    @Test
    void beyondTheLimitAStreamIsRefusedWithAProblem() throws Exception {
        try (SseClient first = new SseClient(uri("/events")); SseClient second = new SseClient(uri("/pools/gil/timeline"))) {
            first.next("stats", Duration.ofSeconds(10));
            given().get("/events").then().statusCode(503).contentType(JobResourceTest.PROBLEM)
                    .body("type", containsString("too-many-streams")).body("limit", equalTo(2))
                    .header("Retry-After", notNullValue());
            given().get("/q/metrics").then().body(containsString("threadlab_streams_open 2.0"));
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> given().get("/q/metrics").asString().contains("threadlab_streams_open 0.0"));
        try (SseClient again = new SseClient(uri("/events"))) {
            again.next("stats", Duration.ofSeconds(10)); // a freed slot serves a new stream
        }
    }
}
