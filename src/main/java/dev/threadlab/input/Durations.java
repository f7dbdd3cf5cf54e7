package dev.threadlab.input;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses client durations: {@code 250ms}, {@code 10s}, {@code 1m}, {@code 2h}, or a plain (decimal) number of
 * seconds. Stateless.
 */
public final class Durations {

    /** Up to 30 digits: any duration a client means is capped long before that; longer text is no duration. */
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,30}(?:\\.\\d{1,9})?)(ms|s|m|h)?");
    public static final String ALLOWED = "a duration such as 250ms, 10s, 1m, 2h or a number of seconds";

    private Durations() {
    }

    /**
     * @param field    the parameter name, for the error
     * @param text     what the client sent; null gives {@code fallback}
     * @param fallback the duration when none is sent
     * @param cap      longer durations are capped to this (a server-side maximum wait), never refused
     * @throws InvalidInputException naming the field when the text is no duration
     */
    public static Duration parse(String field, String text, Duration fallback, Duration cap) {
        if (text == null) {
            return min(fallback, cap);
        }
        Matcher matcher = FORMAT.matcher(text.trim());
        if (!matcher.matches()) {
            throw new InvalidInputException(field, text, ALLOWED);
        }
        BigDecimal amount = new BigDecimal(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        BigDecimal millis = switch (unit) {
            case "ms" -> amount;
            case "m" -> amount.multiply(BigDecimal.valueOf(60_000));
            case "h" -> amount.multiply(BigDecimal.valueOf(3_600_000));
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
