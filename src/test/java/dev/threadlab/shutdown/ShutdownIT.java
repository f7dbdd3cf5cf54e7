package dev.threadlab.shutdown;

import dev.threadlab.testing.SseClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to the packaged service while jobs of every kind run, some waiting for a GIL token and some in the
 * middle of file I/O. Shown, not assumed: readiness goes DOWN at once; submissions get 503 while reads are served
 * through the delay and the drain; event streams are told and end; a job that ends by itself during the delay or the drain window ends SUCCEEDED
 * in that window; a job still running when the drain ends is cancelled then, not before; every waiting join is
 * answered with the final job; no temp file remains; the process exits in time.
 */
class ShutdownIT {

    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final Pattern STATE = Pattern.compile("\"state\":\"([A-Z_]+)\"");
    private static final Pattern FINISHED_AT = Pattern.compile("\"finishedAt\":\"([^\"]+)\"");
    private static final Duration DELAY = Duration.ofSeconds(2);
    private static final Duration DRAIN = Duration.ofSeconds(3);
    /** Clock and scheduling slack between this test and the service on one loaded machine. */
    private static final Duration SLACK = Duration.ofMillis(400);
    /** The JVM's exit status after SIGTERM (128 + 15), once Quarkus has stopped in order. */
    private static final int SIGTERM_EXIT = 143;

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String submit(String body) throws Exception {
        HttpResponse<String> response = send("POST", "/jobs", body);
        assertEquals(202, response.statusCode(), response.body());
        Matcher id = ID.matcher(response.body());
        assertTrue(id.find());
        return id.group(1);
    }

    private static String field(Pattern pattern, String body) {
        Matcher matcher = pattern.matcher(body);
        assertTrue(matcher.find(), pattern + " in " + body);
        return matcher.group(1);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** When a job must end, relative to the SIGTERM. */
    private enum Expected {
        /** ends by itself before the drain starts */
        DURING_DELAY,
        /** ends by itself after the delay, before the drain ends */
        DURING_DRAIN,
        /** still running when the drain ends: cancelled then */
        CANCELLED_AT_DRAIN_END,
        /** file I/O whose speed depends on the disk: either, but each at its right time */
        EITHER
    }

    @Test
    void sigtermServesDrainsInItsWindowCancelsTheRestAndStops() throws Exception {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assertTrue(Files.exists(jar), "run after package (failsafe does)");
        int port = freePort();
        base = "http://127.0.0.1:" + port;
        Path log = tmp.resolve("service.log");
        Path serviceTmp = Files.createDirectory(tmp.resolve("service-tmp"));
        Process service = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1", "-Djava.io.tmpdir=" + serviceTmp,
                "-Dthreadlab.shutdown.delay=" + DELAY.toMillis() + "ms", "-Dthreadlab.shutdown.drain=" + DRAIN.toMillis() + "ms",
                "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitReady();
            SseClient events = new SseClient(URI.create(base + "/events")); // open first: the jobs' timing is tight
            events.next("stats", Duration.ofSeconds(10));
            Map<String, Expected> jobs = new LinkedHashMap<>();
            jobs.put(submit("{\"workload\":\"io\",\"tasks\":5,\"params\":{\"durationMs\":1000}}"), Expected.DURING_DELAY);
            jobs.put(submit("{\"workload\":\"io\",\"tasks\":20,\"params\":{\"durationMs\":3500}}"), Expected.DURING_DRAIN);
            jobs.put(submit("{\"workload\":\"io\",\"pool\":\"gil\",\"tasks\":4,\"params\":{\"durationMs\":3500}}"), Expected.DURING_DRAIN);
            // three CPU tasks on one GIL (two always wait for the token), a counter race of four rounds on the two cpu
            // threads (about 4 s each here), a long io wait
            jobs.put(submit("{\"workload\":\"cpu\",\"pool\":\"gil\",\"tasks\":3,\"params\":{\"iterations\":10000000000}}"),
                    Expected.CANCELLED_AT_DRAIN_END);
            jobs.put(submit("{\"workload\":\"counter\",\"tasks\":8,\"params\":{\"increments\":100000000,\"sync\":\"lock\"}}"),
                    Expected.CANCELLED_AT_DRAIN_END);
            jobs.put(submit("{\"workload\":\"io\",\"pool\":\"procs\",\"params\":{\"durationMs\":60000}}"),
                    Expected.CANCELLED_AT_DRAIN_END);
            // file I/O on platform threads: on the virtual pool its checksumming would hold the carriers the sleeping
            // io tasks need to wake up on, and their timing is what this test checks
            jobs.put(submit("{\"workload\":\"file\",\"pool\":\"gil\",\"tasks\":4,\"params\":{\"bytes\":67108864,\"fsync\":true}}"),
                    Expected.EITHER);
            jobs.put(submit("{\"workload\":\"file\",\"pool\":\"procs\",\"tasks\":2,\"params\":{\"bytes\":67108864}}"), Expected.EITHER);
            List<CompletableFuture<HttpResponse<String>>> joins = new ArrayList<>();
            for (String id : jobs.keySet()) {
                joins.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/jobs/" + id + "/join?timeout=60s")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> jobs.keySet().stream().allMatch(this::running));

            Instant signalled = Instant.now();
            long signalledNanos = System.nanoTime();
            service.destroy(); // SIGTERM
            await().atMost(Duration.ofSeconds(2)).until(() -> send("GET", "/q/health/ready", null).statusCode() == 503);
            assertEquals("shutdown", events.next("shutdown", Duration.ofSeconds(5)).name(), "event streams are told");
            assertSame(SseClient.END, events.next(Duration.ofSeconds(5)), "and end, so that they hold no request open");
            events.close();
            HttpResponse<String> refused = send("POST", "/jobs", "{\"workload\":\"cpu\"}");
            assertEquals(503, refused.statusCode());
            assertTrue(refused.body().contains("shutting-down"), refused.body());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            String longJob = jobs.keySet().stream().skip(3).findFirst().orElseThrow();
            assertEquals(200, send("GET", "/jobs/" + longJob, null).statusCode(), "reads are served during the delay");
            await().atMost(DELAY.plusSeconds(2)).until(() -> System.nanoTime() - signalledNanos > DELAY.plusMillis(500).toNanos());
            assertEquals(200, send("GET", "/jobs/" + longJob, null).statusCode(), "reads are served during the drain");

            Instant drainStarts = signalled.plus(DELAY);
            Instant drainEnds = drainStarts.plus(DRAIN);
            List<String> ids = new ArrayList<>(jobs.keySet());
            for (int i = 0; i < ids.size(); i++) {
                HttpResponse<String> answer = joins.get(i).get(30, TimeUnit.SECONDS);
                assertEquals(200, answer.statusCode(), answer.body());
                String state = field(STATE, answer.body());
                Instant finished = Instant.parse(field(FINISHED_AT, answer.body()));
                Expected expected = jobs.get(ids.get(i));
                String where = expected + ", finished " + Duration.between(signalled, finished).toMillis()
                        + " ms after SIGTERM: " + answer.body();
                if (state.equals("SUCCEEDED")) {
                    assertTrue(expected != Expected.CANCELLED_AT_DRAIN_END, where);
                    assertTrue(finished.isBefore(drainEnds.plus(SLACK)), where);
                    if (expected == Expected.DURING_DELAY) {
                        assertTrue(finished.isBefore(drainStarts), where);
                    } else if (expected == Expected.DURING_DRAIN) {
                        assertTrue(finished.isAfter(drainStarts) && finished.isBefore(drainEnds), where);
                    }
                } else {
                    assertEquals("CANCELLED", state, where);
                    assertTrue(expected == Expected.CANCELLED_AT_DRAIN_END || expected == Expected.EITHER, where);
                    assertTrue(answer.body().contains("\"cancelReason\":\"shutdown\""), where);
                    assertTrue(finished.isAfter(drainEnds.minus(SLACK)), "cancelled only when the drain ended: " + where);
                }
            }
            assertTrue(service.waitFor(DELAY.plus(DRAIN).plusSeconds(15).toMillis(), TimeUnit.MILLISECONDS), "exits in time");
            assertEquals(SIGTERM_EXIT, service.exitValue(), "exit code");
            String output = Files.readString(log);
            assertTrue(output.contains("shutdown: ") && output.contains(" cancelled (reason shutdown)"), output);
            try (Stream<Path> left = Files.walk(serviceTmp)) {
                // Vert.x leaves its empty cache folder; no file and no folder of the file workload may remain
                List<Path> ours = left.filter(path -> Files.isRegularFile(path)
                        || path.getFileName().toString().startsWith("threadlab-")).toList();
                assertEquals(List.of(), ours, "no temp file remains");
            }
        } finally {
            service.destroyForcibly();
        }
    }

    private boolean running(String id) {
        try {
            return field(STATE, send("GET", "/jobs/" + id, null).body()).equals("RUNNING");
        } catch (Exception e) {
            return false;
        }
    }

    private void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> send("GET", "/q/health/ready", null).statusCode() == 200);
    }
}
