package dev.threadlab.problem;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * An error a client caused or must react to, shaped as an RFC 9457 problem. Thrown by the engine (plain Java)
 * and turned into {@code application/problem+json} by the HTTP layer. Immutable.
 */
public class Problem extends RuntimeException {

    /** Problem types are URIs relative to this base; the slug names the kind of error. */
    public static final String TYPE_BASE = "https://threadlab.dev/problems/";

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

    /** A 400 about one field of the request: names the field, the value sent and what is allowed. */
    public static Problem invalidField(String field, Object value, String allowed) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("field", field);
        ext.put("value", value == null ? null : String.valueOf(value));
        ext.put("allowed", allowed);
        return new Problem(400, "invalid-field", "Invalid request field",
                "'" + field + "' is " + describe(value) + "; allowed: " + allowed, ext, Map.of());
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

    private static String describe(Object value) {
        if (value == null) {
            return "missing";
        }
        String text = String.valueOf(value);
        return text.length() > 60 ? "'" + text.substring(0, 60) + "…'" : "'" + text + "'";
    }

    public int status() {
        return status;
    }

    public String type() {
        return TYPE_BASE + slug;
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
