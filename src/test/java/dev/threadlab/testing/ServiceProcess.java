package dev.threadlab.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service ({@code target/quarkus-app}) as a process of its own on a free loopback port, configured by
 * system properties, with its output in a log file; and a small HTTP client for it.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String name;
    private final Process process;
    private final Path log;
    private final String base;

    private ServiceProcess(String name, Process process, Path log, String base) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.base = base;
    }

    /** Starts the service with {@code properties} (e.g. {@code threadlab.store=redis}); does not wait for it. */
    public static ServiceProcess start(String name, Path dir, Map<String, String> properties) throws IOException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assertTrue(Files.exists(jar), "run after package (failsafe does)");
        int port = RedisServer.freePort();
        Path tmp = Files.createDirectories(dir.resolve(name + "-tmp"));
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1", "-Djava.io.tmpdir=" + tmp));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.toString()));
        Path log = dir.resolve(name + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ServiceProcess(name, process, log, "http://127.0.0.1:" + port);
    }

    public String name() {
        return name;
    }

    public String base() {
        return base;
    }

    public void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertTrue(process.isAlive(), () -> name + " exited: " + log());
            try {
                return get("/q/health/ready").statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The last {@code lines} lines of the log. */
    public String logTail(int lines) {
        List<String> all = log().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Waits up to {@code timeout} for the process to exit; its exit status, or -1 if it is still running. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** SIGKILL: the instance dies with whatever it was running. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, Map.of());
    }

    public HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return send("POST", path, body, Map.of());
    }

    public HttpResponse<String> delete(String path) throws IOException, InterruptedException {
        return send("DELETE", path, null, Map.of());
    }

    public HttpResponse<String> send(String method, String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        return HTTP.send(request(method, path, body, headers), HttpResponse.BodyHandlers.ofString());
    }

    public CompletableFuture<HttpResponse<String>> sendAsync(String method, String path, String body) {
        return sendAsync(method, path, body, Map.of());
    }

    public CompletableFuture<HttpResponse<String>> sendAsync(String method, String path, String body, Map<String, String> headers) {
        return HTTP.sendAsync(request(method, path, body, headers), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return request.build();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
