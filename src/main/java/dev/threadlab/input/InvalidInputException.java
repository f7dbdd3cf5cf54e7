package dev.threadlab.input;

/**
 * A value a client sent that is not allowed: names the field, the value and what is allowed. The API answers it
 * with a 400 problem. Immutable; no stack trace (it is an answer, not a fault).
 */
public final class InvalidInputException extends RuntimeException {

    private static final int MAX_VALUE_CHARS = 60;

    private final String field;
    private final String value;
    private final String allowed;

    public InvalidInputException(String field, Object value, String allowed) {
        super("'" + field + "' is " + describe(value) + "; allowed: " + allowed, null, false, false);
        this.field = field;
        this.value = value == null ? null : String.valueOf(value);
        this.allowed = allowed;
    }

    private static String describe(Object value) {
        if (value == null) {
            return "missing";
        }
        String text = String.valueOf(value);
        return text.length() > MAX_VALUE_CHARS ? "'" + text.substring(0, MAX_VALUE_CHARS) + "…'" : "'" + text + "'";
    }

    public String field() {
        return field;
    }

    /** The value as sent, as text; null when it was missing. */
    public String value() {
        return value;
    }

    public String allowed() {
        return allowed;
    }
}
