package dev.threadlab.api;

import dev.threadlab.problem.Problem;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a request whose declared body is over {@code quarkus.http.limits.max-body-size} with a 413 problem
 * before any of it is read. (Vert.x enforces the same limit on bodies without a length, with an empty 413.)
 */
@Singleton
public class BodyLimit {

    void install(@Observes Router router,
                 @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        long limit = maxBodySize.asLongValue();
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String declared = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (declared != null && exceeds(declared, limit)) {
                JsonObject problem = new JsonObject()
                        .put("type", Problem.TYPE_BASE + "body-too-large")
                        .put("title", "Request body too large")
                        .put("status", 413)
                        .put("detail", "the body has " + declared + " bytes; the limit is " + limit + " bytes")
                        .put("limit", limit);
                ctx.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, ProblemResponses.PROBLEM_JSON)
                        .putHeader(HttpHeaders.CONNECTION, "close").end(problem.encode());
                return;
            }
            ctx.next();
        });
    }

    private static boolean exceeds(String declared, long limit) {
        try {
            return Long.parseLong(declared.trim()) > limit;
        } catch (NumberFormatException e) {
            return false; // Vert.x rejects a malformed Content-Length itself
        }
    }
}
