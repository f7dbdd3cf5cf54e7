package dev.threadlab.pool;

import dev.threadlab.input.Durations;
import dev.threadlab.input.InvalidInputException;
import dev.threadlab.input.ParamSpec;

import java.time.Duration;

/**
 * A client's change to a pool's live settings (fields absent stay as they are). Numbers stay raw so validation
 * can name the field, the value and the allowed range. Immutable.
 */
public record PoolUpdate(Object threads, Object maxConcurrency, Object queueCapacity, String switchInterval) {

    public static final int MAX_THREADS = 1024;
    public static final int MAX_CONCURRENCY = 100_000;
    public static final int MAX_QUEUE = 1_000_000;
    public static final Duration MIN_SWITCH_INTERVAL = Duration.ofNanos(100_000);
    public static final Duration MAX_SWITCH_INTERVAL = Duration.ofSeconds(1);

    /**
     * Validates the change against the pool's kind and applies it in one step, on top of the settings current at
     * that moment (a concurrent change of another field is kept).
     *
     * @return the pool's settings after the change
     * @throws InvalidInputException naming the field
     */
    public PoolSettings applyTo(Pool pool) {
        if (threads == null && maxConcurrency == null && queueCapacity == null && switchInterval == null) {
            throw new InvalidInputException("body", "{}",
                    "at least one of threads, maxConcurrency, queueCapacity, switchInterval");
        }
        Duration interval = switchInterval == null ? null : parseInterval();
        if (interval != null && pool.kind() != PoolKind.GIL) {
            throw new InvalidInputException("switchInterval", switchInterval, "nothing: only gil pools have a switch interval");
        }
        Integer concurrency = null;
        if (pool.kind() == PoolKind.VIRTUAL) {
            if (threads != null) {
                throw new InvalidInputException("threads", threads,
                        "nothing: virtual pools start a thread per task; change maxConcurrency instead");
            }
            if (maxConcurrency != null) {
                concurrency = intField("maxConcurrency", maxConcurrency, MAX_CONCURRENCY, 1);
            }
        } else {
            if (maxConcurrency != null) {
                throw new InvalidInputException("maxConcurrency", maxConcurrency,
                        "nothing: " + pool.kind().id() + " pools run as many tasks as they have threads; change threads instead");
            }
            if (threads != null) {
                concurrency = intField("threads", threads, MAX_THREADS, 1);
            }
        }
        Integer queue = queueCapacity == null ? null : intField("queueCapacity", queueCapacity, MAX_QUEUE, 0);
        Integer newConcurrency = concurrency;
        return pool.reconfigure(current -> new PoolSettings(
                newConcurrency == null ? current.concurrency() : newConcurrency,
                queue == null ? current.queueCapacity() : queue), interval);
    }

    private Duration parseInterval() {
        String allowed = "a duration from 0.1ms to 1s, such as 5ms, 1ms or 0.005 (seconds)";
        Duration interval;
        try {
            interval = Durations.parse("switchInterval", switchInterval, Duration.ZERO, Duration.ofDays(1));
        } catch (InvalidInputException notADuration) {
            throw new InvalidInputException("switchInterval", switchInterval, allowed);
        }
        if (interval.compareTo(MIN_SWITCH_INTERVAL) < 0 || interval.compareTo(MAX_SWITCH_INTERVAL) > 0) {
            throw new InvalidInputException("switchInterval", switchInterval, allowed);
        }
        return interval;
    }

    private static int intField(String name, Object value, int max, int min) {
        return Math.toIntExact((Long) ParamSpec.integer(name, min, min, max, null, name).accept(value, name));
    }
}
