package dev.threadlab.shutdown;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to the packaged service while jobs of every kind run, some waiting for a GIL token and some in the
 * middle of file I/O: readiness goes DOWN, submissions get 503 while reads are served, every job ends terminal
 * and every waiting join is answered with it, no temp file remains, and the process exits 0 in time.
 */
class ShutdownIT {

    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final Pattern STATE = Pattern.compile("\"state\":\"([A-Z_]+)\"");
    private static final Duration DELAY = Duration.ofSeconds(2);
    private static final Duration DRAIN = Duration.ofSeconds(3);

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

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void sigtermDrainsCancelsAnswersJoinsAndExitsZero() throws Exception {
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
            List<String> jobs = new ArrayList<>();
            // finish during the drain
            jobs.add(submit("{\"workload\":\"io\",\"tasks\":20,\"params\":{\"durationMs\":1500}}"));
            jobs.add(submit("{\"workload\":\"mixed\",\"tasks\":2,\"params\":{\"rounds\":5,\"ioMs\":100}}"));
            // still running when the drain ends: three CPU tasks on one GIL (two always wait for the token), long
            // file I/O, a long counter race, a long io wait
            jobs.add(submit("{\"workload\":\"cpu\",\"pool\":\"gil\",\"tasks\":3,\"params\":{\"iterations\":10000000000}}"));
            jobs.add(submit("{\"workload\":\"file\",\"tasks\":8,\"params\":{\"bytes\":67108864,\"fsync\":true}}"));
            jobs.add(submit("{\"workload\":\"file\",\"pool\":\"gil\",\"tasks\":4,\"params\":{\"bytes\":67108864}}"));
            jobs.add(submit("{\"workload\":\"counter\",\"tasks\":2,\"params\":{\"increments\":100000000,\"sync\":\"lock\"}}"));
            jobs.add(submit("{\"workload\":\"io\",\"pool\":\"procs\",\"params\":{\"durationMs\":60000}}"));
            List<CompletableFuture<HttpResponse<String>>> joins = new ArrayList<>();
            for (String id : jobs) {
                joins.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/jobs/" + id + "/join?timeout=60s")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            Thread.sleep(300);

            long signalled = System.nanoTime();
            service.destroy(); // SIGTERM
            Thread.sleep(300);
            assertEquals(503, send("GET", "/q/health/ready", null).statusCode(), "readiness DOWN at once");
            HttpResponse<String> refused = send("POST", "/jobs", "{\"workload\":\"cpu\"}");
            assertEquals(503, refused.statusCode());
            assertTrue(refused.body().contains("shutting-down"), refused.body());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            assertEquals(200, send("GET", "/jobs/" + jobs.get(2), null).statusCode(), "reads are still served");

            for (CompletableFuture<HttpResponse<String>> join : joins) {
                HttpResponse<String> answer = join.get(30, TimeUnit.SECONDS);
                assertEquals(200, answer.statusCode(), answer.body());
                Matcher state = STATE.matcher(answer.body());
                assertTrue(state.find());
                assertTrue(List.of("SUCCEEDED", "CANCELLED").contains(state.group(1)), answer.body());
                if (state.group(1).equals("CANCELLED")) {
                    assertTrue(answer.body().contains("\"cancelReason\":\"shutdown\""), answer.body());
                }
            }
            assertTrue(service.waitFor(DELAY.plus(DRAIN).plusSeconds(15).toMillis(), TimeUnit.MILLISECONDS), "exits in time");
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            assertEquals(0, service.exitValue(), "exit code");
            assertTrue(tookMillis >= DELAY.plus(DRAIN).toMillis() - 200, "waited for delay and drain: " + tookMillis);
            String output = Files.readString(log);
            assertTrue(output.contains("shutdown: ") && output.contains("cancelled (reason shutdown)"), output);
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

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                if (send("GET", "/q/health/ready", null).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new AssertionError("service not ready in 60 s");
    }
}
