package dev.threadlab.input;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/**
 * One documented input parameter (of a workload, or of any request field with a range): its type, default, bounds
 * and unit, and the check of a client value against them. Immutable.
 *
 * @param values allowed values of an {@code enum} parameter, else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ParamSpec(String name, String type, Object defaultValue, Number min, Number max, String unit,
                        List<String> values, String description) {

    public static ParamSpec integer(String name, long defaultValue, long min, long max, String unit, String description) {
        return new ParamSpec(name, "integer", defaultValue, min, max, unit, null, description);
    }

    public static ParamSpec number(String name, double defaultValue, double min, double max, String description) {
        return new ParamSpec(name, "number", defaultValue, min, max, null, null, description);
    }

    public static ParamSpec bool(String name, boolean defaultValue, String description) {
        return new ParamSpec(name, "boolean", defaultValue, null, null, null, null, description);
    }

    public static ParamSpec choice(String name, String defaultValue, List<String> values, String description) {
        return new ParamSpec(name, "enum", defaultValue, null, null, null, values, description);
    }

    /**
     * Checks a client value (as JSON decoding gives it) and returns the effective, typed value.
     *
     * @throws InvalidInputException naming {@code field} and the allowed range
     */
    public Object accept(Object raw, String field) {
        if (raw == null) {
            return defaultValue;
        }
        return switch (type) {
            case "integer" -> acceptInteger(raw, field);
            case "number" -> acceptNumber(raw, field);
            case "boolean" -> {
                if (raw instanceof Boolean b) {
                    yield b;
                }
                throw new InvalidInputException(field, raw, "true or false");
            }
            default -> {
                if (raw instanceof String s && values.contains(s)) {
                    yield s;
                }
                throw new InvalidInputException(field, raw, "one of " + values);
            }
        };
    }

    private long acceptInteger(Object raw, String field) {
        String allowed = "a whole number from " + min + " to " + max + (unit == null ? "" : " (" + unit + ")");
        BigDecimal value = asDecimal(raw);
        if (value == null) {
            throw new InvalidInputException(field, raw, allowed);
        }
        BigInteger whole;
        try {
            whole = value.toBigIntegerExact();
        } catch (ArithmeticException fraction) {
            throw new InvalidInputException(field, raw, allowed);
        }
        if (whole.compareTo(BigInteger.valueOf(min.longValue())) < 0
                || whole.compareTo(BigInteger.valueOf(max.longValue())) > 0) {
            throw new InvalidInputException(field, raw, allowed);
        }
        return whole.longValueExact();
    }

    private double acceptNumber(Object raw, String field) {
        String allowed = "a number from " + min + " to " + max;
        BigDecimal value = asDecimal(raw);
        if (value == null || value.compareTo(BigDecimal.valueOf(min.doubleValue())) < 0
                || value.compareTo(BigDecimal.valueOf(max.doubleValue())) > 0) {
            throw new InvalidInputException(field, raw, allowed);
        }
        return value.doubleValue();
    }

    /** A JSON number as an exact decimal; null for anything else (strings, booleans, NaN, infinities). */
    private static BigDecimal asDecimal(Object raw) {
        if (raw instanceof BigDecimal d) {
            return d;
        }
        if (raw instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
            return BigDecimal.valueOf(((Number) raw).longValue());
        }
        if (raw instanceof Double || raw instanceof Float) {
            double d = ((Number) raw).doubleValue();
            return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
        }
        return null;
    }
}
