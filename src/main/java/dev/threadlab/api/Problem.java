package dev.threadlab.api;

import dev.threadlab.problem.ProblemTypes;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * An error answer, shaped as an RFC 9457 problem: status, type, title, detail, extensions and headers such as
 * {@code Retry-After}. Built by the HTTP layer from the engine's exceptions ({@link ProblemResponses}) or thrown by
 * a resource itself, and written as {@code application/problem+json}. Immutable.
 */
public final class Problem extends RuntimeException {

    private final int status;
    private final String slug;
    private final String title;
    private final Map<String, Object> extensions;
    private final Map<String, String> headers;

    private Problem(int status, String slug, String title, String detail, Map<String, Object> extensions,
                    Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.extensions = Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    public static Problem of(int status, String slug, String title, String detail) {
        return new Problem(status, slug, title, detail, Map.of(), Map.of());
    }

    public static Problem notFound(String what, String detail) {
        return of(404, what + "-not-found", "Not found", detail);
    }

    public Problem with(String key, Object value) {
        Map<String, Object> ext = new LinkedHashMap<>(extensions);
        ext.put(key, value);
        return new Problem(status, slug, title, getMessage(), ext, headers);
    }

    /** A response header to send with the problem, e.g. {@code WWW-Authenticate}. */
    public Problem withHeader(String name, String value) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put(name, value);
        return new Problem(status, slug, title, getMessage(), extensions, all);
    }

    public Problem retryAfter(long seconds) {
        return withHeader("Retry-After", String.valueOf(Math.max(1, seconds)));
    }

    public int status() {
        return status;
    }

    public String type() {
        return ProblemTypes.uri(slug);
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public Map<String, Object> extensions() {
        return extensions;
    }

    public OptionalLong retryAfterSeconds() {
        String value = headers.get("Retry-After");
        return value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value));
    }

    public Map<String, String> headers() {
        return headers;
    }
}
