package dev.threadlab.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadlab.config.ThreadlabConfig;
import dev.threadlab.experiment.ExperimentService;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.JobRequest;
import dev.threadlab.pool.PoolUpdate;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.threadlab.testing.Admin.TOKEN;
import static dev.threadlab.testing.EngineFixture.awaitTrue;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The OpenAPI document tells the truth about statuses: for every operation it lists, requests here get every status
 * it documents (with the documented media type and required headers), and no request gets a status it does not
 * document. A status documented by mistake (never answered) or forgotten (answered but not listed) fails this test.
 *
 * <p>Runs on its own instance (a profile) because two answers need a state that would disturb other tests: a waiter
 * limit of 1, so that one waiting join makes the next one a 503; and shutdown begun, for the 503 of a submission
 * (the last step). The 403 of a PATCH without a configured token needs yet another configuration: {@link
 * OpenApiAdminDisabledContractTest} drives it.
 */
@QuarkusTest
@TestProfile(OpenApiContractTest.OneWaiter.class)
class OpenApiContractTest {

    public static class OneWaiter implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("threadlab.jobs.max-waiters", "1",
                    // this test begins shutdown itself; the instance need not linger over it when it stops
                    "threadlab.shutdown.delay", "0s", "threadlab.shutdown.drain", "0s");
        }
    }

    /** Statuses that need an instance without an admin token: {@link OpenApiAdminDisabledContractTest} drives them. */
    static final Map<String, Set<String>> DRIVEN_WITHOUT_TOKEN = Map.of("updatePool", Set.of("403"));

    /** Statuses that need threadlab.store=redis with Redis down: {@link OpenApiStoreDownContractTest} drives them. */
    static final Map<String, Set<String>> DRIVEN_WITH_STORE_DOWN = Map.of(
            "getJob", Set.of("503"),
            "listJobs", Set.of("503"),
            "cancelJob", Set.of("503"),
            "getExperiment", Set.of("503"),
            "getExperimentChart", Set.of("503"),
            "updatePool", Set.of("503"));

    /** Statuses that need another configuration, with the test that drives them. */
    static final Map<String, Set<String>> DRIVEN_ELSEWHERE = merged(DRIVEN_WITHOUT_TOKEN, DRIVEN_WITH_STORE_DOWN);

    private static Map<String, Set<String>> merged(Map<String, Set<String>> first, Map<String, Set<String>> second) {
        Map<String, Set<String>> merged = new HashMap<>();
        for (Map<String, Set<String>> part : List.of(first, second)) {
            part.forEach((operation, statuses) -> merged.computeIfAbsent(operation, key -> new TreeSet<>()).addAll(statuses));
        }
        return Map.copyOf(merged);
    }

    private static final String JSON = "application/json";
    private static final String UNKNOWN_JOB = "qtest-aaaaaaaaaaaaaaaa";
    private static final String OTHER_INSTANCES_JOB = "zzzz-aaaaaaaaaaaaaaaa";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]+)}");

    @Inject
    JobEngine engine;

    @Inject
    ThreadlabConfig config;

    @TestHTTPResource("/")
    URI base;

    private OpenApiContract api;

    private static UnaryOperator<RequestSpecification> json(String body) {
        return r -> r.contentType(ContentType.JSON).body(body);
    }

    private static UnaryOperator<RequestSpecification> plain() {
        return r -> r;
    }

    private static Map<String, String> id(String id) {
        return Map.of("id", id);
    }

    private static Map<String, String> name(String name) {
        return Map.of("name", name);
    }

    @Test
    void everyDocumentedStatusIsAnsweredAndNoOtherIs() throws Exception {
        api = new OpenApiContract();
        anyOperation();
        jobs();
        pools();
        String blocker = experiments();
        tooManyWaiters(blocker);
        api.call("cancelExperiment", "the running one", 202, id(blocker), plain());
        shuttingDown(); // last: this instance takes no job after it
        api.assertEveryDocumentedStatusSeen(DRIVEN_ELSEWHERE);
    }

    /** What any operation can answer before its resource runs: limits (RequestLimits) and media types (framework). */
    private void anyOperation() {
        for (OpenApiContract.Operation operation : api.operations().values()) {
            Map<String, String> params = new HashMap<>();
            params.put("id", UNKNOWN_JOB);
            params.put("name", "tiny");
            params.keySet().retainAll(placeholders(operation.path()));
            boolean hasBody = operation.node().has("requestBody");
            UnaryOperator<RequestSpecification> body = hasBody ? json("{}") : plain();
            api.call(operation.id(), "a request target over the limit", 414, params,
                    r -> body.apply(r).queryParam("padding", "p".repeat(9000)));
            api.call(operation.id(), "headers over the limit", 431, params,
                    r -> body.apply(r).header("X-Padding", "p".repeat(30_000)));
            api.call(operation.id(), "an Accept it does not produce", 406, params,
                    r -> body.apply(r).accept("application/x-nothing"));
            if (hasBody) {
                api.call(operation.id(), "a body over 64 KiB", 413, params,
                        json("{\"workload\":\"" + "x".repeat(70_000) + "\"}"));
                api.call(operation.id(), "a body that is not JSON", 415, params,
                        r -> r.contentType("text/plain").body("threads=2"));
            }
        }
    }

    private static Set<String> placeholders(String path) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = PLACEHOLDER.matcher(path);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    private void jobs() {
        String finished = api.call("submitJob", "?wait for a short job", 200,
                r -> json("{\"workload\":\"cpu\",\"params\":{\"iterations\":1000}}").apply(r).queryParam("wait", "10s"))
                .jsonPath().getString("id");
        api.call("submitJob", "Prefer: wait for a short job", 200,
                r -> json("{\"workload\":\"cpu\",\"params\":{\"iterations\":1000}}").apply(r).header("Prefer", "wait=10"));
        // every example the document offers is accepted as it is (what Swagger UI's "Try it out" sends)
        for (String example : examples("submitJob")) {
            api.call("submitJob", "the document's example " + example, 202, json(example));
        }
        String running = api.call("submitJob", "a 20 s job", 202,
                json("{\"workload\":\"io\",\"params\":{\"durationMs\":20000}}")).jsonPath().getString("id");
        api.call("submitJob", "a wait that times out", 202,
                r -> json("{\"workload\":\"io\",\"params\":{\"durationMs\":1000}}").apply(r).queryParam("wait", "50ms"));
        api.call("submitJob", "0 tasks", 400, json("{\"workload\":\"cpu\",\"tasks\":0}"));
        api.call("submitJob", "a string for tasks", 400, json("{\"workload\":\"cpu\",\"tasks\":\"string\"}"));
        api.call("submitJob", "malformed JSON", 400, json("{\"workload\":"));
        api.call("submitJob", "a bad ?wait", 400, r -> json("{\"workload\":\"cpu\"}").apply(r).queryParam("wait", "soon"));
        api.call("submitJob", "more tasks than the pool holds", 503,
                json("{\"workload\":\"cpu\",\"pool\":\"tiny\",\"tasks\":3,\"params\":{\"iterations\":1}}"));

        api.call("listJobs", "filtered", 200, r -> r.queryParam("state", "succeeded").queryParam("limit", 5));
        api.call("listJobs", "limit 0", 400, r -> r.queryParam("limit", 0));
        api.call("listJobs", "an unknown state", 400, r -> r.queryParam("state", "DONE"));

        api.call("getJob", "a finished job", 200, id(finished), plain());
        api.call("getJob", "an unknown id", 404, id(UNKNOWN_JOB), plain());
        api.call("getJob", "another instance's id", 404, id(OTHER_INSTANCES_JOB), plain());

        api.call("joinJob", "a finished job", 200, id(finished), plain());
        api.call("joinJob", "a running job, 50 ms", 202, id(running), r -> r.queryParam("timeout", "50ms"));
        api.call("joinJob", "a bad timeout", 400, id(running), r -> r.queryParam("timeout", "soon"));
        api.call("joinJob", "an unknown id", 404, id(UNKNOWN_JOB), plain());

        api.call("waitForJobs", "a finished job", 200, json("{\"ids\":[\"" + finished + "\"],\"mode\":\"ANY\"}"));
        api.call("waitForJobs", "a running job, 50 ms", 200, json("{\"ids\":[\"" + running + "\"],\"timeout\":\"50ms\"}"));
        api.call("waitForJobs", "no ids", 400, json("{\"ids\":[]}"));
        api.call("waitForJobs", "a bad mode", 400, json("{\"ids\":[\"" + finished + "\"],\"mode\":\"SOME\"}"));
        api.call("waitForJobs", "an unknown id", 404, json("{\"ids\":[\"" + UNKNOWN_JOB + "\"]}"));
        // its example names ids that exist nowhere: it shows the shape, and says so by a 404 that names the id
        for (String example : examples("waitForJobs")) {
            api.call("waitForJobs", "the document's example", 404, json(example));
        }

        api.call("cancelJob", "a running job", 202, id(running), plain());
        api.call("cancelJob", "a job that has ended", 409, id(running), plain());
        api.call("cancelJob", "an unknown id", 404, id(UNKNOWN_JOB), plain());

        api.call("listWorkloads", "all", 200, plain());
        api.call("getStats", "all", 200, plain());
    }

    private void pools() {
        api.call("listPools", "all", 200, plain());
        for (String pool : List.of("tiny", "io", "gil")) { // one pool of each kind: their members differ
            api.call("getPool", pool, 200, name(pool), plain());
        }
        api.call("getPool", "an unknown pool", 404, name("nope"), plain());

        String admin = "Bearer " + TOKEN;
        api.call("updatePool", "no token", 401, name("tiny"), json("{\"threads\":1}"));
        api.call("updatePool", "a wrong token", 401, name("tiny"),
                r -> json("{\"threads\":1}").apply(r).header("Authorization", "Bearer wrong"));
        api.call("updatePool", "a string for threads", 400, name("tiny"),
                r -> json("{\"threads\":\"string\"}").apply(r).header("Authorization", admin));
        api.call("updatePool", "an empty change", 400, name("tiny"),
                r -> json("{}").apply(r).header("Authorization", admin));
        api.call("updatePool", "an unknown pool", 404, name("nope"),
                r -> json("{\"threads\":1}").apply(r).header("Authorization", admin));
        // the document's examples work as they are on a pool of the kind they name; each is then undone
        for (String example : examples("updatePool")) {
            String pool = example.contains("switchInterval") ? "gil" : "tiny";
            api.call("updatePool", "the document's example " + example + " on " + pool, 200, name(pool),
                    r -> json(example).apply(r).header("Authorization", admin));
        }
        api.call("updatePool", "undo", 200, name("tiny"), r -> json("{\"threads\":1}").apply(r).header("Authorization", admin));
        api.call("updatePool", "undo", 200, name("gil"),
                r -> json("{\"switchInterval\":\"5ms\"}").apply(r).header("Authorization", admin));
    }

    /**
     * Experiments run one at a time and 10 may queue: a cheap blocker (one task sleeping 60 s) runs, so everything
     * submitted after it only queues and burns no CPU; 10 queued make the next one a 503.
     *
     * @return the blocker's id, still running
     */
    private String experiments() {
        String blocker = api.call("submitExperiment", "a blocker", 202,
                json("{\"workload\":\"io\",\"params\":{\"durationMs\":60000},\"pools\":[\"io\"],\"tasks\":[1],\"repeats\":1}"))
                .jsonPath().getString("id");
        List<String> queued = new ArrayList<>();
        for (String example : examples("submitExperiment")) {
            queued.add(api.call("submitExperiment", "the document's example " + example, 202, json(example))
                    .jsonPath().getString("id"));
        }
        while (queued.size() < 10) {
            queued.add(api.call("submitExperiment", "filling the queue", 202,
                    json("{\"workload\":\"cpu\",\"pools\":[\"cpu\"],\"tasks\":[1],\"repeats\":1}")).jsonPath().getString("id"));
        }
        api.call("submitExperiment", "an 11th while 10 are queued", 503,
                json("{\"workload\":\"cpu\",\"pools\":[\"cpu\"],\"tasks\":[1],\"repeats\":1}"));
        api.call("submitExperiment", "an unknown preset", 400, json("{\"preset\":\"nope\"}"));
        api.call("submitExperiment", "no pools", 400, json("{\"workload\":\"cpu\",\"tasks\":[1]}"));
        api.call("listExperimentPresets", "all", 200, plain());

        String first = queued.get(0);
        api.call("getExperiment", "JSON", 200, id(first), plain());
        api.call("getExperiment", "CSV", 200, id(first), r -> r.queryParam("format", "csv"));
        api.call("getExperiment", "an unknown format", 400, id(first), r -> r.queryParam("format", "xml"));
        api.call("getExperiment", "an unknown id", 404, id(UNKNOWN_JOB), plain());
        api.call("getExperimentChart", "default metric", 200, id(first), plain());
        api.call("getExperimentChart", "an unknown metric", 400, id(first), r -> r.queryParam("metric", "colour"));
        api.call("getExperimentChart", "an unknown id", 404, id(UNKNOWN_JOB), plain());
        api.call("joinExperiment", "the running one, 50 ms", 202, id(blocker), r -> r.queryParam("timeout", "50ms"));
        api.call("joinExperiment", "a bad timeout", 400, id(blocker), r -> r.queryParam("timeout", "soon"));
        api.call("joinExperiment", "an unknown id", 404, id(UNKNOWN_JOB), plain());
        for (String experiment : queued) {
            api.call("cancelExperiment", "a queued one", 202, id(experiment), plain());
        }
        api.call("cancelExperiment", "one that has ended", 409, id(first), plain());
        api.call("cancelExperiment", "an unknown id", 404, id(UNKNOWN_JOB), plain());
        api.call("joinExperiment", "one that has ended", 200, id(first), plain());
        return blocker;
    }

    /** With the one waiter slot taken by a join that waits, every other wait is refused with 503. */
    private void tooManyWaiters(String runningExperiment) throws Exception {
        String running = given().contentType(ContentType.JSON).body("{\"workload\":\"io\",\"params\":{\"durationMs\":30000}}")
                .post("/jobs").then().statusCode(202).extract().jsonPath().getString("id");
        HttpClient client = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> holder = client.sendAsync(
                HttpRequest.newBuilder(base.resolve("/jobs/" + running + "/join?timeout=60s")).build(),
                HttpResponse.BodyHandlers.ofString());
        awaitTrue(() -> given().get("/stats").jsonPath().getInt("joinWaiters") == 1);

        api.call("joinJob", "while another join waits", 503, id(running), plain());
        api.call("joinExperiment", "while a join waits", 503, id(runningExperiment), plain());
        api.call("waitForJobs", "while a join waits", 503, json("{\"ids\":[\"" + running + "\"]}"));
        // a submit that would wait is refused before its job is accepted: nothing runs that the client cannot see
        long submitted = given().get("/stats").jsonPath().getLong("jobs.submitted");
        api.call("submitJob", "?wait while a join waits", 503,
                r -> json("{\"workload\":\"io\",\"params\":{\"durationMs\":30000}}").apply(r).queryParam("wait", "10s"));
        assertEquals(submitted, given().get("/stats").jsonPath().getLong("jobs.submitted"),
                "a submission refused 503 too-many-waiters was not accepted");
        api.call("cancelJob", "the job that held the waiter", 202, id(running), plain());
        HttpResponse<String> held = holder.get(30, TimeUnit.SECONDS);
        assertEquals(200, held.statusCode(), "the waiting join ends with the cancelled job: " + held.body());

    }

    private void shuttingDown() {
        engine.beginShutdown();
        api.call("submitJob", "after shutdown began", 503, json("{\"workload\":\"cpu\",\"params\":{\"iterations\":1}}"));
    }

    /** The request-body examples the document offers for an operation, as JSON text. */
    private List<String> examples(String operationId) {
        JsonNode examples = api.operation(operationId).node().path("requestBody").path("content").path(JSON).path("examples");
        List<String> bodies = new ArrayList<>();
        examples.forEach(example -> bodies.add(api.resolve(example).path("value").toString()));
        if (bodies.isEmpty()) {
            api.failure(operationId + " offers no request example to try");
        }
        return bodies;
    }

    /**
     * The documented request bodies have exactly the fields the Java requests take (their Object-typed numbers
     * are documented with their real types, so the two can drift apart), and the documented limits are the
     * configured ones.
     */
    @Test
    void documentedRequestsMatchWhatTheApiTakes() {
        OpenApiContract api = new OpenApiContract();
        assertFields(api, "JobRequest", JobRequest.class);
        assertFields(api, "PoolUpdate", PoolUpdate.class);
        assertFields(api, "ExperimentRequest", ExperimentService.Request.class);
        assertFields(api, "WaitRequest", JobResource.WaitRequest.class);

        JsonNode job = api.schema("JobRequest").path("properties");
        Set<String> workloads = new TreeSet<>(given().get("/workloads").jsonPath().getList("name", String.class));
        Set<String> documented = new TreeSet<>();
        job.path("workload").path("enum").forEach(name -> documented.add(name.asText()));
        assertEquals(workloads, documented, "JobRequest.workload's enum is the workloads GET /workloads lists");
        assertEquals(config.limits().tasks(), job.path("tasks").path("maximum").asInt(), "JobRequest.tasks maximum");
        assertEquals(config.limits().timeoutMs(), job.path("timeoutMs").path("maximum").asLong(), "JobRequest.timeoutMs maximum");
        assertEquals(config.limits().listLimit(), limitMaximum(api), "listJobs limit maximum");
        assertEquals(config.limits().waitIds(), api.schema("WaitRequest").path("properties").path("ids").path("maxItems").asInt(),
                "WaitRequest.ids maxItems");
        JsonNode pool = api.schema("PoolUpdate").path("properties");
        assertEquals(PoolUpdate.MAX_THREADS, pool.path("threads").path("maximum").asInt());
        assertEquals(PoolUpdate.MAX_CONCURRENCY, pool.path("maxConcurrency").path("maximum").asInt());
        assertEquals(PoolUpdate.MAX_QUEUE, pool.path("queueCapacity").path("maximum").asInt());
        api.assertNoFailures();
    }

    private static int limitMaximum(OpenApiContract api) {
        for (JsonNode parameter : api.operation("listJobs").node().path("parameters")) {
            if (parameter.path("name").asText().equals("limit")) {
                return parameter.path("schema").path("maximum").asInt();
            }
        }
        return -1;
    }

    private static void assertFields(OpenApiContract api, String schema, Class<? extends Record> type) {
        Set<String> documented = new TreeSet<>();
        api.schema(schema).path("properties").fieldNames().forEachRemaining(documented::add);
        Set<String> taken = new TreeSet<>(Arrays.stream(type.getRecordComponents()).map(c -> c.getName()).toList());
        assertEquals(taken, documented, "the fields of the documented " + schema + " are those " + type.getSimpleName() + " takes");
    }
}
