package dev.threadlab.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadlab.job.JobEngine;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /}: the console for browsers (anything that accepts HTML), a short JSON index for everyone else
 * ({@code curl localhost:8080/}). The console's page names the instance that served it, so a demo behind a balancer
 * shows which replica answered; its scripts and styles are static files under {@code /console/}.
 * Immutable after start.
 */
@Singleton
public class ConsoleRoutes {

    private static final String PAGE = "META-INF/resources/console/index.html";
    private static final int ORDER = Integer.MIN_VALUE + 1;

    void install(@Observes Router router, JobEngine engine, ObjectMapper json,
                 @ConfigProperty(name = "quarkus.application.version") String version) {
        String page = load().replace("{{instance}}", engine.instance()).replace("{{version}}", version);
        String index = index(json, engine.instance(), version);
        router.get("/").order(ORDER).handler(ctx -> {
            if (acceptsHtml(ctx)) {
                ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache").end(page);
            } else {
                ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(index);
            }
        });
    }

    private static boolean acceptsHtml(RoutingContext ctx) {
        String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
        return accept != null && accept.contains("text/html");
    }

    private static String index(ObjectMapper json, String instance, String version) {
        Map<String, Object> links = new LinkedHashMap<>();
        links.put("console", "/ (in a browser)");
        links.put("api", "/q/openapi");
        links.put("swaggerUi", "/q/swagger-ui");
        links.put("workloads", "/workloads");
        links.put("jobs", "/jobs");
        links.put("pools", "/pools");
        links.put("events", "/events");
        links.put("stats", "/stats");
        links.put("metrics", "/q/metrics");
        links.put("health", "/q/health");
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("name", "threadlab");
        index.put("version", version);
        index.put("instance", instance);
        index.put("links", links);
        index.put("try", "curl -s -XPOST 'localhost:8080/jobs?wait=30s' -H 'Content-Type: application/json' "
                + "-d '{\"workload\":\"cpu\",\"pool\":\"gil\",\"tasks\":4}'");
        try {
            return json.writeValueAsString(index) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the index cannot be written as JSON", e);
        }
    }

    private static String load() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException(PAGE + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
