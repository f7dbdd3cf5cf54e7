package dev.threadlab.input;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Effective parameters (of a job): every documented parameter, validated, defaults filled in. Immutable. */
public final class Params {

    private final Map<String, Object> values;

    private Params(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * Validates what a client sent against the specs.
     *
     * @throws InvalidInputException naming the first unknown or invalid parameter
     */
    public static Params validate(List<ParamSpec> specs, Map<String, ?> raw) {
        Map<String, ?> given = raw == null ? Map.of() : raw;
        for (String key : given.keySet()) {
            if (specs.stream().noneMatch(spec -> spec.name().equals(key))) {
                throw new InvalidInputException("params." + key, given.get(key),
                        "no such parameter; known: " + specs.stream().map(ParamSpec::name).collect(Collectors.joining(", ")));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec spec : specs) {
            values.put(spec.name(), spec.accept(given.get(spec.name()), "params." + spec.name()));
        }
        return new Params(values);
    }

    public long getLong(String name) {
        return ((Number) values.get(name)).longValue();
    }

    public int getInt(String name) {
        return Math.toIntExact(getLong(name));
    }

    public double getDouble(String name) {
        return ((Number) values.get(name)).doubleValue();
    }

    public boolean getBoolean(String name) {
        return (Boolean) values.get(name);
    }

    public String getString(String name) {
        return (String) values.get(name);
    }

    public Map<String, Object> asMap() {
        return values;
    }
}
