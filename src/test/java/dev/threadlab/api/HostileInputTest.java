package dev.threadlab.api;

import dev.threadlab.testing.Admin;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static dev.threadlab.testing.Admin.asAdmin;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Thousands of random and mutated requests to every endpoint: bodies, query parameters, headers, ids, durations,
 * huge and negative numbers, NaN, wrong types, deep nesting, unicode. Never a 5xx; every 4xx is problem+json with a
 * helpful detail and no internal names; the service is healthy afterwards. Seeded, so a failure is reproducible:
 * the seed and the request are in the message.
 */
@QuarkusTest
class HostileInputTest {

    private static final int REQUESTS = 3000;
    private static final long SEED = Long.getLong("fuzz.seed", 20261125L);
    private static final List<String> SAFE_JOBS = List.of(
            "{\"workload\":\"cpu\",\"tasks\":2,\"params\":{\"iterations\":1000},\"timeoutMs\":2000}",
            "{\"workload\":\"io\",\"params\":{\"durationMs\":5,\"chunks\":2},\"timeoutMs\":2000}",
            "{\"workload\":\"counter\",\"pool\":\"gil\",\"params\":{\"increments\":1000,\"sync\":\"lock\"},\"timeoutMs\":2000}",
            "{\"workload\":\"file\",\"params\":{\"bytes\":1000},\"timeoutMs\":2000}",
            "{\"workload\":\"mixed\",\"params\":{\"rounds\":1,\"ioMs\":1},\"timeoutMs\":2000}");

    private final Random random = new Random(SEED);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private String base() {
        return RestAssured.baseURI + ":" + RestAssured.port;
    }

    private <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    private String anyText() {
        return pick(List.<Supplier<String>>of(
                () -> "",
                () -> "x".repeat(random.nextInt(300)),
                () -> "ünïcødé-✓-\u0000-\uD83D\uDE00-" + random.nextInt(),
                () -> "../../etc/passwd",
                () -> "%00%ff%2F",
                () -> "qtest-" + "a".repeat(16),
                () -> "<script>alert(1)</script>",
                () -> "'; DROP TABLE jobs; --",
                () -> String.valueOf(random.nextLong()))).get();
    }

    private String anyNumber() {
        return pick(List.of("0", "-1", "1", "2147483648", "-9223372036854775809", "99999999999999999999999999",
                "1e308", "1e400", "-1e-400", "0.5", "1.0000000001", "3.14e5", "-0", "1E2", "123456789012345678901234567890.5"));
    }

    private String anyJsonValue(int depth) {
        int choice = random.nextInt(depth > 4 ? 5 : 8);
        return switch (choice) {
            case 0 -> anyNumber();
            case 1 -> "\"" + anyText().replace("\\", "\\\\").replace("\"", "\\\"").replace("\u0000", "\\u0000") + "\"";
            case 2 -> pick(List.of("true", "false", "null"));
            case 3 -> pick(List.of("\"NaN\"", "\"Infinity\"", "NaN", "Infinity", "-Infinity"));
            case 4 -> "\"" + pick(List.of("cpu", "io", "gil", "procs", "tiny", "none", "lock", "ALL", "ANY", "10s", "-1s")) + "\"";
            case 5 -> "[" + String.join(",", repeat(() -> anyJsonValue(depth + 1), random.nextInt(4))) + "]";
            default -> anyObject(depth + 1);
        };
    }

    private List<String> repeat(Supplier<String> item, int times) {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            items.add(item.get());
        }
        return items;
    }

    private String anyObject(int depth) {
        List<String> keys = List.of("workload", "pool", "tasks", "params", "timeoutMs", "iterations", "durationMs", "chunks",
                "bytes", "fsync", "sync", "increments", "failProbability", "ids", "mode", "timeout", "threads",
                "maxConcurrency", "queueCapacity", "switchInterval", "rounds", "ioMs", "cpuIterations", "preset",
                "variants", "background", "repeats", anyText());
        return "{" + String.join(",", repeat(() -> "\"" + pick(keys).replace("\"", "") + "\":" + anyJsonValue(depth),
                random.nextInt(6))) + "}";
    }

    private String mutate(String body) {
        StringBuilder text = new StringBuilder(body);
        for (int i = 0, n = 1 + random.nextInt(4); i < n && !text.isEmpty(); i++) {
            int at = random.nextInt(text.length());
            switch (random.nextInt(4)) {
                case 0 -> text.deleteCharAt(at);
                case 1 -> text.insert(at, pick(List.of("{", "}", "[", "\"", ",", ":", "9", "-", "e", "\\", "\u00e9")));
                case 2 -> text.setLength(at);
                default -> text.replace(at, Math.min(text.length(), at + 3), anyNumber());
            }
        }
        return text.toString();
    }

    private String anyBody() {
        return switch (random.nextInt(6)) {
            case 0 -> anyObject(0);
            case 1 -> anyJsonValue(0);
            case 2 -> mutate(pick(SAFE_JOBS));
            case 3 -> "[".repeat(2000) + "]".repeat(2000);
            case 4 -> "{\"workload\":\"cpu\",\"params\":" + "{\"a\":".repeat(1500) + "1" + "}".repeat(1501);
            default -> anyText();
        };
    }

    private String q(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private String anyDuration() {
        return pick(List.of("10ms", "0", "-5", "1e9", "NaN", "1h", "99999999999", "0.5", "abc", "", "250ms", "1m", anyText()));
    }

    private HttpRequest anyRequest(List<String> knownIds) {
        String id = random.nextBoolean() && !knownIds.isEmpty() ? pick(knownIds) : anyText();
        String body = anyBody();
        String contentType = pick(List.of("application/json", "application/json; charset=utf-8", "text/plain",
                "application/xml", "", "application/json; charset=latin-1", "multipart/form-data"));
        HttpRequest.Builder request;
        String path = switch (random.nextInt(14)) {
            case 0, 1, 2 -> "/jobs" + (random.nextBoolean() ? "?wait=" + q(anyDuration()) : "");
            case 3 -> "/jobs/" + q(id);
            case 4 -> "/jobs/" + q(id) + "/join?timeout=" + q(anyDuration());
            case 5 -> "/jobs?state=" + q(anyText()) + "&pool=" + q(anyText()) + "&limit=" + q(anyNumber());
            case 6 -> "/jobs/wait";
            case 7 -> "/pools/" + q(pick(List.of("tiny", "nope", anyText())));
            case 8 -> "/workloads";
            case 9 -> "/stats";
            case 10 -> "/experiments" + pick(List.of("", "/presets", "/" + q(id), "/" + q(id) + "?format=" + q(anyText())));
            case 11 -> "/experiments/" + q(id) + pick(List.of("/chart.svg?metric=" + q(anyText()), "/join?timeout=" + q(anyDuration())));
            case 12 -> "/experiments";
            default -> "/" + q(anyText());
        };
        String firstSegment = path.substring(1).split("[/?]", 2)[0];
        String method = switch (firstSegment) {
            case "jobs" -> path.equals("/jobs/wait") || (path.startsWith("/jobs") && !path.contains("/join")
                    && random.nextBoolean()) ? "POST" : pick(List.of("GET", "DELETE", "PUT", "POST"));
            case "pools" -> pick(List.of("GET", "PATCH", "PATCH", "DELETE"));
            case "experiments" -> path.equals("/experiments") ? "POST" : pick(List.of("GET", "GET", "DELETE", "POST"));
            default -> pick(List.of("GET", "POST", "OPTIONS"));
        };
        if (path.startsWith("/pools/") && method.equals("PATCH") && !path.equals("/pools/tiny")) {
            path = "/pools/" + q(pick(List.of("nope", anyText())));
        }
        request = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30));
        if (!contentType.isEmpty()) {
            request.header("Content-Type", contentType);
        }
        if (method.equals("PATCH")) { // mostly the admin token, so that the body is what gets tested
            int auth = random.nextInt(10);
            if (auth > 0) {
                request.header("Authorization", "Bearer " + (auth == 1 ? anyText().replaceAll("[\\x00-\\x1f]", "") : Admin.TOKEN));
            }
        }
        if (random.nextInt(5) == 0) {
            request.header("Prefer", pick(List.of("wait=5", "wait=-1", "wait=99999999999", "respond-async", anyText().replaceAll("[\\x00-\\x1f]", ""))));
        }
        boolean hasBody = method.equals("POST") || method.equals("PATCH") || method.equals("PUT");
        return request.method(method, hasBody ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody()).build();
    }

    @Test
    void noRequestGetsA5xxOrLeaksInternals() throws Exception {
        List<String> knownIds = new ArrayList<>();
        for (String job : SAFE_JOBS) {
            knownIds.add(given().contentType("application/json").body(job).post("/jobs").then().statusCode(202)
                    .extract().path("id"));
        }
        int sent = 0;
        for (int i = 0; i < REQUESTS; i++) {
            HttpRequest request;
            try {
                request = anyRequest(knownIds);
            } catch (IllegalArgumentException unsendable) {
                continue; // not a valid URI or header at all: no client could send it
            }
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            sent++;
            String where = "seed " + SEED + ", request " + i + ": " + request.method() + " " + request.uri();
            int status = response.statusCode();
            if (status >= 500 && !(status == 503 && response.body().contains("/problems/"))) {
                fail(where + " -> " + status + " " + response.body());
            }
            String body = response.body();
            for (String leak : List.of("Exception", "\tat ", "dev.threadlab.", "java.lang", "jakarta.", "io.quarkus", "com.fasterxml")) {
                assertTrue(!body.contains(leak), where + " leaks '" + leak + "': " + body);
            }
            if (status >= 400 && status != 405 || status == 405 && !body.isEmpty()) {
                assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                        where + " -> " + status + " without problem+json: " + body);
                assertTrue(body.contains("\"detail\":\"") && !body.contains("\"detail\":\"\""), where + " -> no detail: " + body);
            }
            String accepted = request.uri().getPath();
            if (status == 202 && (accepted.equals("/jobs") || accepted.equals("/experiments")) && body.contains("\"id\":\"")) {
                String id = body.replaceAll("(?s).*?\"id\":\"([^\"]+)\".*", "$1");
                knownIds.add(id);
                given().delete(accepted + "/" + id); // keep accepted fuzz work from piling up
            }
        }
        assertTrue(sent > REQUESTS * 0.9, "sent " + sent);
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        asAdmin().contentType("application/json").body("{\"threads\":2}").patch("/pools/tiny").then().statusCode(200)
                .body("threads", org.hamcrest.Matchers.equalTo(2)); // admin still works after the fuzzing
        asAdmin().contentType("application/json").body("{\"threads\":1,\"queueCapacity\":1}").patch("/pools/tiny").then().statusCode(200);
    }
}
