package dev.threadlab.api;

import dev.threadlab.config.ThreadlabConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;

/**
 * Refuses a request over a size limit with a problem before any of its body is read: a declared body over
 * {@code quarkus.http.limits.max-body-size} (413), a request target over {@code threadlab.limits.uri-length} (414),
 * headers over {@code threadlab.limits.header-bytes} (431). The HTTP codec's own limits
 * ({@code quarkus.http.limits.max-initial-line-length} and {@code max-header-size}) are set well above these, so
 * that these answers, not the codec's bare ones, are what a client meets. Stateless.
 */
@Singleton
public class RequestLimits {

    void install(@Observes Router router, ThreadlabConfig config,
                 @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        long bodyLimit = maxBodySize.asLongValue();
        int uriLimit = config.limits().uriLength();
        int headerLimit = config.limits().headerBytes();
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String declared = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (declared != null && exceeds(declared, bodyLimit)) {
                ProblemResponses.send(ctx, Problem.of(413, "body-too-large", "Request body too large",
                        "the body has " + declared + " bytes; the limit is " + bodyLimit + " bytes").with("limit", bodyLimit));
                return;
            }
            int uriLength = ctx.request().uri().length();
            if (uriLength > uriLimit) {
                ProblemResponses.send(ctx, Problem.of(414, "uri-too-long", "Request target too long",
                        "the request target has " + uriLength + " characters; the limit is " + uriLimit).with("limit", uriLimit));
                return;
            }
            int headerBytes = headerBytes(ctx.request().headers());
            if (headerBytes > headerLimit) {
                ProblemResponses.send(ctx, Problem.of(431, "headers-too-large", "Request headers too large",
                        "the headers have " + headerBytes + " bytes; the limit is " + headerLimit).with("limit", headerLimit));
                return;
            }
            ctx.next();
        });
    }

    private static int headerBytes(MultiMap headers) {
        int bytes = 0;
        for (Map.Entry<String, String> header : headers) {
            bytes += header.getKey().length() + header.getValue().length() + 4; // ": " and CRLF
        }
        return bytes;
    }

    private static boolean exceeds(String declared, long limit) {
        try {
            return Long.parseLong(declared.trim()) > limit;
        } catch (NumberFormatException e) {
            return false; // Vert.x rejects a malformed Content-Length itself
        }
    }
}
