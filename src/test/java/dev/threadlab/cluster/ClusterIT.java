package dev.threadlab.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadlab.testing.RedisServer;
import dev.threadlab.testing.ServiceProcess;
import dev.threadlab.testing.SseClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three packaged instances on one real {@code redis-server}, as one service: any instance reads, joins, cancels,
 * lists, waits for and streams any instance's jobs and experiments; a pool change reaches all; Redis holds no more
 * than the retention bounds; a SIGKILLed instance's unfinished jobs end FAILED (instance-lost) on the others within
 * 15 s, recorded exactly once; a Redis restart under load costs no accepted job and no 5xx; a second process with a
 * live instance's id stops; an instance whose first heartbeat is answered after its deadline still joins. Skipped, loudly, where {@code redis-server} is not installed, unless
 * {@code THREADLAB_REDIS_TESTS=required} (as in CI), which turns its absence into a failure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "it-admin-token";
    private static final int MAX_RETAINED = 100;
    private static final Pattern FAILED_METRIC = Pattern.compile(
            "threadlab_jobs_finished_total\\{[^}]*state=\"failed\"[^}]*} ([0-9.E]+)");

    private Path dir;
    private RedisServer redis;
    private ServiceProcess a;
    private ServiceProcess b;
    private ServiceProcess c;
    private final List<ServiceProcess> started = new ArrayList<>();

    /** On a failure, what every instance logged: a cluster's failure is seldom explained by what one client saw. */
    @RegisterExtension
    final TestWatcher instanceLogsOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            for (ServiceProcess service : started) {
                System.err.println("---- the last 150 lines of instance " + service.name() + " after " + context.getDisplayName());
                System.err.println(service.logTail(150));
            }
        }
    };

    @BeforeAll
    void startCluster() throws Exception {
        Optional<String> missing = RedisServer.unavailable();
        if (missing.isPresent()) {
            if ("required".equals(System.getenv("THREADLAB_REDIS_TESTS"))) {
                fail("THREADLAB_REDIS_TESTS=required but " + missing.get());
            }
            System.err.println("!!! SKIPPING ClusterIT: " + missing.get() + " !!!");
            Assumptions.abort(missing.get());
        }
        dir = Files.createTempDirectory("threadlab-cluster-it");
        redis = RedisServer.start(dir);
        a = instance("a");
        b = instance("b");
        c = instance("c");
        for (ServiceProcess service : List.of(a, b, c)) {
            service.awaitReady();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> aliveInstances(a) == 3);
    }

    private ServiceProcess instance(String id) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("threadlab.store", "redis");
        properties.put("quarkus.redis.hosts", redis.url());
        properties.put("threadlab.instance-id", id);
        properties.put("threadlab.admin.token", TOKEN);
        properties.put("threadlab.jobs.max-retained", String.valueOf(MAX_RETAINED));
        properties.put("quarkus.log.category.\"dev.threadlab.cluster\".level", "DEBUG");
        ServiceProcess service = ServiceProcess.start(id, dir, properties);
        started.add(service);
        return service;
    }

    @AfterAll
    void stopCluster() throws Exception {
        for (ServiceProcess service : started) {
            service.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    // ---- any instance answers for any job ---------------------------------------------------------------------------

    @Test
    @Order(1)
    void anyInstanceReadsJoinsWaitsForAndListsAnyJob() throws Exception {
        String onA = submit(a, "{\"workload\":\"io\",\"tasks\":4,\"params\":{\"durationMs\":1500}}");
        JsonNode read = json(b.get("/jobs/" + onA), 200);
        assertEquals(onA, read.path("id").asText());
        assertFalse(read.path("done").asBoolean(), "read on b while it runs on a: " + read);

        long joinStarted = System.nanoTime();
        JsonNode joined = json(b.get("/jobs/" + onA + "/join?timeout=20s"), 200);
        long joinMillis = (System.nanoTime() - joinStarted) / 1_000_000;
        assertEquals("SUCCEEDED", joined.path("state").asText(), joined.toString());
        assertTrue(joinMillis >= 1000 && joinMillis < 6000, "the join on b waited for the end on a: " + joinMillis + " ms");

        String onB = submit(b, "{\"workload\":\"io\",\"tasks\":2,\"params\":{\"durationMs\":500}}");
        String alsoOnA = submit(a, "{\"workload\":\"io\",\"tasks\":2,\"params\":{\"durationMs\":800}}");
        String ids = JSON.writeValueAsString(List.of(onA, onB, alsoOnA));
        JsonNode waited = json(c.post("/jobs/wait", "{\"ids\":" + ids + ",\"mode\":\"ALL\",\"timeout\":\"20s\"}"), 200);
        assertEquals(3, waited.path("done").size(), waited.toString());
        assertEquals(0, waited.path("notDone").size(), waited.toString());

        JsonNode listed = json(c.get("/jobs?limit=20&pool=io&state=succeeded"), 200);
        List<String> listedIds = new ArrayList<>();
        listed.forEach(job -> listedIds.add(job.path("id").asText()));
        assertTrue(listedIds.containsAll(List.of(onA, onB, alsoOnA)), "one cluster-wide list on c: " + listedIds);
        assertTrue(listedIds.indexOf(alsoOnA) < listedIds.indexOf(onB) && listedIds.indexOf(onB) < listedIds.indexOf(onA),
                "newest first: " + listedIds);
        listed.forEach(job -> assertEquals("SUCCEEDED", job.path("state").asText(), "filtered: " + job));

        HttpResponse<String> unknown = c.get("/jobs/a-abcdefghijkmnpqr");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("on any instance"), unknown.body());
    }

    @Test
    @Order(2)
    void aJobIsAnsweredForEverywhereTheMomentItIsAccepted() throws Exception {
        // the store is written just behind a job's life: whatever has not reached it yet, the owner answers for
        for (int i = 0; i < 20; i++) {
            String joined = submit(a, "{\"workload\":\"io\",\"params\":{\"durationMs\":50}}");
            assertEquals("SUCCEEDED", json(b.get("/jobs/" + joined + "/join?timeout=10s"), 200).path("state").asText());
            String read = submit(a, "{\"workload\":\"io\",\"params\":{\"durationMs\":50}}");
            assertEquals(read, json(c.get("/jobs/" + read), 200).path("id").asText());
            String cancelled = submit(a, "{\"workload\":\"io\",\"params\":{\"durationMs\":30000}}");
            assertEquals("CANCELLED", json(b.delete("/jobs/" + cancelled), 202).path("state").asText());
        }
        String experiment = json(a.post("/experiments",
                "{\"workload\":\"io\",\"params\":{\"durationMs\":20},\"pools\":[\"io\"],\"tasks\":[1],\"repeats\":1}"), 202)
                .path("id").asText();
        assertEquals(experiment, json(c.get("/experiments/" + experiment), 200).path("id").asText());
    }

    @Test
    @Order(2)
    void aCancelOnAnotherInstanceReachesTheOwner() throws Exception {
        String onA = submit(a, "{\"workload\":\"io\",\"tasks\":3,\"params\":{\"durationMs\":30000}}");
        await().atMost(Duration.ofSeconds(5)).until(() -> "RUNNING".equals(json(c.get("/jobs/" + onA), 200).path("state").asText()));
        long started = System.nanoTime();
        JsonNode cancelled = json(c.delete("/jobs/" + onA), 202);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertEquals("CANCELLED", cancelled.path("state").asText(), "confirmed by the owner: " + cancelled);
        assertEquals("client", cancelled.path("cancelReason").asText());
        assertTrue(millis < 1500, "answered within the 1 s wait for the owner: " + millis + " ms");
        assertEquals("CANCELLED", json(a.get("/jobs/" + onA), 200).path("state").asText(), "cancelled on its owner");
        assertEquals(409, b.delete("/jobs/" + onA).statusCode(), "ended: a second cancel is a conflict anywhere");
    }

    @Test
    @Order(3)
    void aJobStreamsAndAnExperimentReadFromAnotherInstance() throws Exception {
        String onA = submit(a, "{\"workload\":\"io\",\"tasks\":3,\"params\":{\"durationMs\":1500,\"chunks\":3}}");
        try (SseClient stream = new SseClient(URI.create(b.base() + "/jobs/" + onA + "/events"))) {
            assertEquals(200, stream.status());
            SseClient.Event first = stream.next("progress", Duration.ofSeconds(5));
            assertTrue(first.data().contains(onA), first.data());
            SseClient.Event end = stream.next("end", Duration.ofSeconds(15));
            assertTrue(end.data().contains("\"state\":\"SUCCEEDED\""), end.data());
        }

        JsonNode experiment = json(a.post("/experiments",
                "{\"workload\":\"io\",\"params\":{\"durationMs\":20},\"pools\":[\"io\"],\"tasks\":[1,2],\"repeats\":1}"), 202);
        String id = experiment.path("id").asText();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            JsonNode remote = json(b.get("/experiments/" + id), 200);
            assertEquals("SUCCEEDED", remote.path("state").asText(), "on b: " + remote + "; on a: " + a.get("/experiments/" + id).body());
        });
        HttpResponse<String> csv = b.get("/experiments/" + id + "?format=csv");
        assertEquals(200, csv.statusCode());
        assertTrue(csv.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
        assertTrue(csv.body().lines().count() >= 3, "a header and a row per point: " + csv.body());
        HttpResponse<String> chart = c.get("/experiments/" + id + "/chart.svg");
        assertEquals(200, chart.statusCode());
        assertTrue(chart.body().startsWith("<svg") || chart.body().contains("<svg"), "an SVG chart");
        assertEquals(404, c.get("/experiments/a-abcdefghijkmnpqr").statusCode());
    }

    // ---- pools and figures ------------------------------------------------------------------------------------------

    @Test
    @Order(4)
    void aPoolChangeAppliesToEveryInstance() throws Exception {
        HttpResponse<String> patched = b.send("PATCH", "/pools/gil", "{\"switchInterval\":\"2ms\"}",
                Map.of("Authorization", "Bearer " + TOKEN));
        JsonNode change = json(patched, 200);
        assertEquals("b", change.path("instance").asText());
        for (String instance : List.of("a", "b", "c")) {
            assertEquals(2.0, change.path("instances").path(instance).path("switchIntervalMs").asDouble(), change.toString());
        }
        assertEquals(0, change.path("unconfirmed").size(), change.toString());
        JsonNode onC = json(c.get("/pools/gil"), 200);
        assertEquals("c", onC.path("instance").asText(), "pool views say which instance they describe");
        assertEquals(2.0, onC.path("switchIntervalMs").asDouble());

        // changes of different fields made at once through different instances all stay (at the io pool's defaults)
        Map<String, String> admin = Map.of("Authorization", "Bearer " + TOKEN);
        for (int round = 0; round < 10; round++) {
            redis.cli("HDEL", "threadlab:pool-settings", "io");
            CompletableFuture<HttpResponse<String>> concurrency = a.sendAsync("PATCH", "/pools/io", "{\"maxConcurrency\":10000}", admin);
            CompletableFuture<HttpResponse<String>> queue = c.sendAsync("PATCH", "/pools/io", "{\"queueCapacity\":10000}", admin);
            assertEquals(200, concurrency.get(10, TimeUnit.SECONDS).statusCode());
            assertEquals(200, queue.get(10, TimeUnit.SECONDS).statusCode());
            JsonNode kept = JSON.readTree(redis.cli("HGET", "threadlab:pool-settings", "io"));
            assertEquals(10000, kept.path("maxConcurrency").asInt(), "both changes kept: " + kept);
            assertEquals(10000, kept.path("queueCapacity").asInt(), "both changes kept: " + kept);
        }
    }

    @Test
    @Order(5)
    void redisHoldsNoMoreThanTheRetentionBounds() throws Exception {
        // the oldest submitted, the last to finish: the bound drops the oldest finished jobs, never a job just ended
        String longest = submit(a, "{\"workload\":\"io\",\"params\":{\"durationMs\":4000}}");
        List<CompletableFuture<HttpResponse<String>>> submits = new ArrayList<>();
        for (int i = 0; i < 3 * MAX_RETAINED; i++) {
            submits.add(a.sendAsync("POST", "/jobs", "{\"workload\":\"cpu\",\"params\":{\"iterations\":1000}}"));
        }
        for (CompletableFuture<HttpResponse<String>> submit : submits) {
            assertEquals(202, submit.get(30, TimeUnit.SECONDS).statusCode());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> json(a.get("/stats"), 200).path("jobs").path("inFlight").asLong() == 0);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertTrue(
                redis.cli("GET", "threadlab:job:" + longest).contains("\"state\":\"SUCCEEDED\""),
                "the job that finished last is kept in Redis, where the others read it once its owner is gone"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            long indexed = Long.parseLong(redis.cli("ZCARD", "threadlab:jobs:a"));
            long stored = redis.cli("--scan", "--pattern", "threadlab:job:a-*").lines().count();
            assertTrue(indexed <= MAX_RETAINED, "a's index is trimmed to its bound: " + indexed + "; unfinished: "
                    + redis.cli("SMEMBERS", "threadlab:unfinished:a"));
            assertTrue(stored <= MAX_RETAINED + 2, "a's finished jobs beyond the bound are deleted from Redis: " + stored);
        });
        String newest = redis.cli("ZREVRANGE", "threadlab:jobs:a", "0", "0");
        long ttl = Long.parseLong(redis.cli("PTTL", "threadlab:job:" + newest));
        assertTrue(ttl > 0 && ttl <= Duration.ofMinutes(15).toMillis(), "a finished job expires after the retention: " + ttl);
    }

    @Test
    @Order(6)
    void statsGiveClusterTotalsAndARowPerInstance() throws Exception {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode cluster = json(c.get("/stats"), 200).path("cluster");
            Map<String, JsonNode> rows = new LinkedHashMap<>();
            cluster.path("instances").forEach(row -> rows.put(row.path("instance").asText(), row));
            assertTrue(rows.keySet().containsAll(Set.of("a", "b", "c")), cluster.toString());
            long submitted = 0;
            for (JsonNode row : rows.values()) {
                assertTrue(row.path("alive").asBoolean(), row.toString());
                submitted += row.path("submitted").asLong();
            }
            assertEquals(submitted, cluster.path("totals").path("submitted").asLong(), cluster.toString());
            assertTrue(rows.get("a").path("submitted").asLong() >= 3 * MAX_RETAINED, cluster.toString());
        });
    }

    // ---- failures ---------------------------------------------------------------------------------------------------

    @Test
    @Order(7)
    void aKilledInstancesUnfinishedJobsEndFailedOnTheOthersRecordedOnce() throws Exception {
        double failedBefore = failedJobs(a) + failedJobs(b);
        String first = submit(c, "{\"workload\":\"io\",\"tasks\":2,\"params\":{\"durationMs\":60000}}");
        String second = submit(c, "{\"workload\":\"io\",\"pool\":\"procs\",\"params\":{\"durationMs\":60000}}");
        await().atMost(Duration.ofSeconds(5)).until(() -> "RUNNING".equals(json(a.get("/jobs/" + second), 200).path("state").asText()));
        CompletableFuture<HttpResponse<String>> join = a.sendAsync("GET", "/jobs/" + first + "/join?timeout=30s", null);

        long killed = System.nanoTime();
        c.kill();
        HttpResponse<String> answer = join.get(30, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - killed) / 1_000_000;
        JsonNode lost = json(answer, 200);
        assertEquals("FAILED", lost.path("state").asText(), lost.toString());
        assertTrue(lost.path("error").path("type").asText().endsWith("/instance-lost"), lost.toString());
        assertTrue(millis < 15_000, "ended within 15 s of the kill: " + millis + " ms");
        JsonNode other = json(b.get("/jobs/" + second), 200);
        assertEquals("FAILED", other.path("state").asText(), other.toString());
        assertEquals("c", other.path("error").path("instance").asText(), other.toString());

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertEquals(failedBefore + 2, failedJobs(a) + failedJobs(b), "each lost job recorded by exactly one instance"));
        JsonNode rowOfC = null;
        for (JsonNode row : json(a.get("/stats"), 200).path("cluster").path("instances")) {
            if (row.path("instance").asText().equals("c")) {
                rowOfC = row;
            }
        }
        assertTrue(rowOfC != null && !rowOfC.path("alive").asBoolean() && rowOfC.path("lostJobs").asLong() == 2,
                "the stats show c dead with 2 jobs lost: " + rowOfC);
    }

    @Test
    @Order(8)
    void aRedisRestartUnderLoadLosesNoAcceptedJobAndCausesNo5xx() throws Exception {
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicBoolean storeDown = new AtomicBoolean();
        AtomicInteger acceptedWhileDown = new AtomicInteger();
        Thread load = Thread.ofPlatform().start(() -> {
            int i = 0;
            while (loading.get()) {
                ServiceProcess target = i++ % 2 == 0 ? a : b;
                try {
                    boolean down = storeDown.get();
                    HttpResponse<String> response = target.post("/jobs", "{\"workload\":\"io\",\"params\":{\"durationMs\":300}}");
                    statuses.merge(response.statusCode(), 1, Integer::sum);
                    if (response.statusCode() == 202) {
                        accepted.add(id(response.body()));
                        if (down && storeDown.get()) {
                            acceptedWhileDown.incrementAndGet();
                        }
                    }
                    Thread.sleep(5);
                } catch (Exception e) {
                    statuses.merge(-1, 1, Integer::sum);
                }
            }
        });
        try {
            String beforeOnA = submit(a, "{\"workload\":\"io\",\"params\":{\"durationMs\":20000}}");
            await().atMost(Duration.ofSeconds(5)).until(() -> b.get("/jobs/" + beforeOnA).statusCode() == 200);
            redis.stop();
            storeDown.set(true);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                HttpResponse<String> remote = b.get("/jobs/" + beforeOnA);
                assertEquals(503, remote.statusCode(), remote.body());
                assertTrue(remote.body().contains("store-unavailable"), remote.body());
                assertTrue(remote.headers().firstValue("Retry-After").isPresent());
            });
            assertEquals(200, a.get("/jobs/" + beforeOnA).statusCode(), "the owner still answers for its job");
            assertEquals(200, b.get("/q/health/ready").statusCode(), "readiness stays UP");
            assertTrue(b.get("/q/metrics").body().contains("threadlab_store_up{store=\"redis\"} 0.0"), "the store shows down");
            assertEquals(503, a.get("/jobs?limit=5").statusCode(), "the cluster list needs the store");

            await().atMost(Duration.ofSeconds(10)).until(() -> acceptedWhileDown.get() >= 10);
            storeDown.set(false);
            redis.restart();
            long back = System.nanoTime();
            int acceptedAtRestart = accepted.size();
            await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() >= acceptedAtRestart + 10); // and as it returns
            loading.set(false);
            load.join(10_000);
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
                for (String id : accepted) {
                    ServiceProcess other = id.startsWith("a-") ? b : a;
                    if (other.get("/jobs/" + id).statusCode() != 200) {
                        return false;
                    }
                }
                return b.get("/jobs/" + beforeOnA).statusCode() == 200;
            });
            long millis = (System.nanoTime() - back) / 1_000_000;
            assertTrue(millis <= 5_000 + 2_000, "every accepted job is readable anywhere again within 5 s of the store "
                    + "returning (plus the heartbeat that notices): " + millis + " ms");
        } finally {
            loading.set(false);
            load.join(10_000);
        }
        assertTrue(acceptedWhileDown.get() >= 10, "jobs were accepted while Redis was down: " + statuses);
        assertEquals(Set.of(202), statuses.keySet(), "every submission was accepted, Redis or not: " + statuses);
    }

    @Test
    @Order(9)
    void aSecondProcessWithALiveInstancesIdStops() throws Exception {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("threadlab.store", "redis");
        properties.put("quarkus.redis.hosts", redis.url());
        properties.put("threadlab.instance-id", "a");
        ServiceProcess duplicate = ServiceProcess.start("a-duplicate", dir, properties);
        started.add(duplicate);
        int status = duplicate.awaitExit(Duration.ofSeconds(45));
        assertEquals(1, status, "stops: " + duplicate.log());
        assertTrue(duplicate.log().contains("another live instance uses the instance id 'a'"), duplicate.log());
        assertTrue(a.alive(), "the instance that had the id runs on");
        assertEquals(200, a.get("/q/health/ready").statusCode());
    }

    @Test
    @Order(10)
    void anInstanceWhoseFirstHeartbeatIsAnsweredLateStillJoins() throws Exception {
        // Redis holds writes back, so d's first heartbeat passes its deadline; Redis runs it when let go, setting d's
        // key without d seeing the answer: d's next heartbeat finds its own key, and that must be its join too
        ServiceProcess d;
        assertEquals("OK", redis.cli("CLIENT", "PAUSE", "90000", "WRITE")); // longer than the wait below
        try {
            d = instance("d");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> d.log().contains("membership tick: Redis did not answer"));
        } finally {
            redis.cli("CLIENT", "UNPAUSE");
        }
        d.awaitReady();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode store = json(d.get("/stats"), 200).path("store");
            assertTrue(store.path("member").asBoolean(), "d's join is done (its jobs published, the cluster's pool "
                    + "settings applied), and it records lost instances: " + store);
        });
        assertTrue(d.log().contains("instance 'd' joined the cluster in Redis"), d.logTail(40));
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private static String submit(ServiceProcess service, String body) throws Exception {
        HttpResponse<String> response = service.post("/jobs", body);
        assertEquals(202, response.statusCode(), response.body());
        return id(response.body());
    }

    private static String id(String body) throws Exception {
        return JSON.readTree(body).path("id").asText();
    }

    private static JsonNode json(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static long aliveInstances(ServiceProcess service) throws Exception {
        long alive = 0;
        for (JsonNode row : json(service.get("/stats"), 200).path("cluster").path("instances")) {
            if (row.path("alive").asBoolean()) {
                alive++;
            }
        }
        return alive;
    }

    private static double failedJobs(ServiceProcess service) throws Exception {
        double sum = 0;
        Matcher matcher = FAILED_METRIC.matcher(service.get("/q/metrics").body());
        while (matcher.find()) {
            sum += Double.parseDouble(matcher.group(1));
        }
        return sum;
    }
}
