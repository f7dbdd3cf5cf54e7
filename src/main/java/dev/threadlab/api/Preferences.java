package dev.threadlab.api;

import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reads the {@code Prefer} request header as RFC 7240 defines it: a comma-separated list of preferences, each a
 * token with an optional value and parameters. Only the first instance of a preference counts, and one the server
 * cannot use is ignored, never an error. Stateless.
 */
final class Preferences {

    private static final Pattern DELTA_SECONDS = Pattern.compile("\\d{1,30}");

    private Preferences() {
    }

    /** The {@code wait} preference in seconds, if the first one given is usable (delta-seconds); else empty. */
    static OptionalLong waitSeconds(List<String> headers) {
        if (headers == null) {
            return OptionalLong.empty();
        }
        for (String header : headers) {
            for (String preference : header.split(",")) {
                String nameValue = preference.split(";", 2)[0];
                int equals = nameValue.indexOf('=');
                String name = (equals < 0 ? nameValue : nameValue.substring(0, equals)).trim();
                if (!name.toLowerCase(Locale.ROOT).equals("wait")) {
                    continue;
                }
                String value = equals < 0 ? "" : unquote(nameValue.substring(equals + 1).trim());
                if (!DELTA_SECONDS.matcher(value).matches()) {
                    return OptionalLong.empty(); // the first wait is unusable: ignored, as the RFC says
                }
                return OptionalLong.of(value.length() > 18 ? Long.MAX_VALUE : Long.parseLong(value));
            }
        }
        return OptionalLong.empty();
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
