package dev.threadlab.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A real {@code redis-server} from the system's package, on a free loopback port, without persistence, that a test
 * starts, stops and restarts (on the same port: a Redis restart as instances see it). {@link #cli} runs
 * {@code redis-cli} against it.
 */
public final class RedisServer implements AutoCloseable {

    private static final Path SERVER = Path.of("/usr/bin/redis-server");
    private static final Path CLI = Path.of("/usr/bin/redis-cli");

    private final Path dir;
    private final int port;
    private Process process;

    private RedisServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Why Redis tests cannot run here, or empty when they can. */
    public static Optional<String> unavailable() {
        if (!Files.isExecutable(SERVER) || !Files.isExecutable(CLI)) {
            return Optional.of("redis-server and redis-cli are not installed (Debian: apt-get install -y redis-server)");
        }
        return Optional.empty();
    }

    public static RedisServer start(Path dir) throws IOException {
        RedisServer server = new RedisServer(dir, freePort());
        server.startProcess();
        return server;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void startProcess() throws IOException {
        process = new ProcessBuilder(SERVER.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
                .start();
        await().atMost(Duration.ofSeconds(10)).until(() -> "PONG".equals(cli("PING")));
    }

    /** {@code redis://127.0.0.1:port}, for {@code quarkus.redis.hosts}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops the server at once, losing everything it held. */
    public void stop() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts it again on the same port, empty. */
    public void restart() throws IOException {
        startProcess();
    }

    /** Runs one command with {@code redis-cli}; its output, trimmed (lines for a list). */
    public String cli(String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of(CLI.toString(), "-p", String.valueOf(port)));
        line.addAll(List.of(command));
        Process cli = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        cli.waitFor(10, TimeUnit.SECONDS);
        return output;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            stop();
        }
    }
}
