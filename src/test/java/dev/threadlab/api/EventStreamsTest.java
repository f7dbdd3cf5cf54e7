package dev.threadlab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadlab.testing.SseClient;
import io.quarkus.arc.Arc;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.threadlab.testing.EngineFixture.awaitTrue;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The event streams' contract: format, order, the end of a job's stream, errors, clients that leave or stall. */
@QuarkusTest
class EventStreamsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SOON = Duration.ofSeconds(10);

    private static URI uri(String path) {
        return URI.create(RestAssured.baseURI + ":" + RestAssured.port + path);
    }

    private static String submit(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/jobs").then().statusCode(202).extract().path("id");
    }

    private static EventStreams streams() {
        return Arc.container().instance(EventStreams.class).get();
    }

    @Test
    void eventsIsOneStatsEventASecondOfEveryPool() throws Exception {
        try (SseClient events = new SseClient(uri("/events"))) {
            assertEquals(200, events.status());
            assertTrue(events.contentType().startsWith("text/event-stream"), events.contentType());
            long started = System.nanoTime();
            JsonNode first = JSON.readTree(events.next("stats", SOON).data());
            JsonNode second = JSON.readTree(events.next("stats", SOON).data());
            JsonNode third = JSON.readTree(events.next("stats", SOON).data());
            double seconds = (System.nanoTime() - started) / 1e9;
            assertTrue(seconds >= 1.5 && seconds < 6, "about one a second: three took " + seconds + " s");
            assertEquals("qtest", third.get("instance").asText());
            List<String> pools = new ArrayList<>();
            third.get("pools").forEach(pool -> pools.add(pool.get("name").asText()));
            assertTrue(pools.containsAll(List.of("cpu", "io", "gil", "procs", "tiny")), pools.toString());
            JsonNode gil = null;
            for (JsonNode pool : third.get("pools")) {
                if (pool.get("name").asText().equals("gil")) {
                    gil = pool.get("gil");
                }
            }
            assertTrue(gil != null && gil.has("heldRatio") && gil.has("probeLagP99Ms"), third.toString());
            assertTrue(first.has("at") && second.has("jobsInFlight"));
        }
    }

    @Test
    void aJobsStreamShowsProgressThenTheFinalJobThenEnds() throws Exception {
        String id = submit("{\"workload\":\"io\",\"tasks\":4,\"params\":{\"durationMs\":400,\"chunks\":4}}");
        try (SseClient events = new SseClient(uri("/jobs/" + id + "/events"))) {
            SseClient.Event event = events.next(SOON);
            assertEquals("progress", event.name());
            assertEquals(id, JSON.readTree(event.data()).get("id").asText());
            while ((event = events.next(SOON)).name().equals("progress")) {
                JsonNode progress = JSON.readTree(event.data());
                assertTrue(progress.get("tasksDone").asInt() <= 4);
            }
            assertEquals("end", event.name());
            JsonNode job = JSON.readTree(event.data());
            assertEquals("SUCCEEDED", job.get("state").asText());
            assertEquals(4, job.get("progress").get("tasksDone").asInt());
            assertSame(SseClient.END, events.next(SOON), "the stream ends after the final job");
        }
        // a job that has ended answers its final event at once
        try (SseClient events = new SseClient(uri("/jobs/" + id + "/events"))) {
            SseClient.Event event = events.next(SOON);
            assertEquals("end", event.name());
            assertSame(SseClient.END, events.next(SOON));
        }
        awaitTrue(() -> streams().openStreams() == 0);
    }

    @Test
    void errorsBeforeAStreamAreProblems() {
        given().get("/jobs/qtest-aaaaaaaaaaaaaaaa/events").then().statusCode(404).contentType(JobResourceTest.PROBLEM)
                .body("type", containsString("job-not-found"));
        given().get("/pools/cpu/timeline").then().statusCode(409).contentType(JobResourceTest.PROBLEM)
                .body("type", containsString("not-a-gil-pool")).body("kind", equalTo("platform"));
        given().get("/pools/nope/timeline").then().statusCode(404).contentType(JobResourceTest.PROBLEM);
    }

    @Test
    void theTimelineShowsTheTokenChangingHands() throws Exception {
        try (SseClient timeline = new SseClient(uri("/pools/gil/timeline"))) {
            String id = submit("{\"workload\":\"cpu\",\"pool\":\"gil\",\"tasks\":2,\"params\":{\"iterations\":100000000}}");
            JsonNode batch = JSON.readTree(timeline.next("handovers", SOON).data());
            assertEquals("gil", batch.get("pool").asText());
            boolean take = false;
            boolean release = false;
            long deadline = System.nanoTime() + SOON.toNanos();
            while (!(take && release) && System.nanoTime() < deadline) {
                for (JsonNode event : batch.get("events")) {
                    String kind = event.get("kind").asText();
                    take |= kind.equals("take") && event.get("thread").asText().startsWith("threadlab-gil-");
                    release |= kind.equals("forced-release");
                }
                if (!(take && release)) {
                    batch = JSON.readTree(timeline.next("handovers", SOON).data());
                }
            }
            assertTrue(take && release, "a task took the token and was forced to release it: " + batch);
            given().delete("/jobs/" + id);
        }
        awaitTrue(() -> streams().openStreams() == 0);
    }

    @Test
    void aClientThatLeavesFreesItsStream() throws Exception {
        int before = streams().openStreams();
        SseClient events = new SseClient(uri("/events"));
        events.next("stats", SOON);
        assertEquals(before + 1, streams().openStreams());
        events.close();
        awaitTrue(() -> streams().openStreams() == before);
    }

    /** A client that stops reading is dropped once its connection's buffers are full, instead of being buffered for. */
    @Test
    void aClientThatDoesNotReadIsDropped() throws Exception {
        String hog = submit("{\"workload\":\"cpu\",\"pool\":\"gil\",\"tasks\":3,\"params\":{\"iterations\":10000000000}}");
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + dev.threadlab.testing.Admin.TOKEN)
                .body("{\"switchInterval\":\"0.1ms\"}").patch("/pools/gil").then().statusCode(200);
        int before = streams().openStreams();
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress("localhost", RestAssured.port));
            socket.getOutputStream().write("GET /pools/gil/timeline HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            awaitTrue(() -> streams().openStreams() == before + 1);
            // never read: thousands of hand-overs a second fill the buffers, and the stream is dropped
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> streams().openStreams() == before);
            InputStream in = socket.getInputStream();
            assertTrue(in.read() >= 0, "the server sent what it could before it dropped the client");
        } finally {
            given().contentType(ContentType.JSON).header("Authorization", "Bearer " + dev.threadlab.testing.Admin.TOKEN)
                    .body("{\"switchInterval\":\"5ms\"}").patch("/pools/gil");
            given().delete("/jobs/" + hog);
        }
    }
}
