package dev.threadlab.input;

import dev.threadlab.problem.Problem;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses client durations: {@code 250ms}, {@code 10s}, {@code 1m}, or a plain (decimal) number of seconds. */
public final class Durations {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,9})?)(ms|s|m)?");

    private Durations() {
    }

    /**
     * @param field  the parameter name, for the error
     * @param text   what the client sent; null or blank gives {@code fallback}
     * @param cap    longer durations are capped to this (like a server-side maximum wait)
     * @throws Problem 400 naming the field when the text is no duration
     */
    public static Duration parse(String field, String text, Duration fallback, Duration cap) {
        if (text == null || text.isBlank()) {
            return min(fallback, cap);
        }
        Matcher matcher = FORMAT.matcher(text.trim());
        if (!matcher.matches()) {
            throw Problem.invalidField(field, text, "a duration such as 250ms, 10s, 1m or a number of seconds");
        }
        BigDecimal amount = new BigDecimal(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        BigDecimal millis = switch (unit) {
            case "ms" -> amount;
            case "m" -> amount.multiply(BigDecimal.valueOf(60_000));
            default -> amount.multiply(BigDecimal.valueOf(1_000));
        };
        if (millis.compareTo(BigDecimal.valueOf(cap.toMillis())) >= 0) {
            return cap;
        }
        return Duration.ofNanos(millis.movePointRight(6).longValue());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
