package dev.threadlab.pool;

import dev.threadlab.input.Durations;
import dev.threadlab.problem.Problem;
import dev.threadlab.workload.ParamSpec;

import java.time.Duration;

/**
 * A client's change to a pool's live settings (fields absent stay as they are). Numbers stay raw so validation
 * can name the field, the value and the allowed range.
 */
public record PoolUpdate(Object threads, Object maxConcurrency, Object queueCapacity, String switchInterval) {

    public static final int MAX_THREADS = 1024;
    public static final int MAX_CONCURRENCY = 100_000;
    public static final int MAX_QUEUE = 1_000_000;
    public static final Duration MIN_SWITCH_INTERVAL = Duration.ofNanos(100_000);
    public static final Duration MAX_SWITCH_INTERVAL = Duration.ofSeconds(1);

    /**
     * Validates the change against the pool's kind and applies it.
     *
     * @throws Problem 400 naming the field
     */
    public PoolSettings applyTo(Pool pool) {
        PoolSettings current = pool.settings();
        if (threads == null && maxConcurrency == null && queueCapacity == null && switchInterval == null) {
            throw Problem.invalidField("body", "{}",
                    "at least one of threads, maxConcurrency, queueCapacity, switchInterval");
        }
        Duration interval = switchInterval == null ? null : parseInterval();
        if (interval != null && pool.kind() != PoolKind.GIL) {
            throw Problem.invalidField("switchInterval", switchInterval, "nothing: only gil pools have a switch interval");
        }
        int concurrency = current.concurrency();
        if (pool.kind() == PoolKind.VIRTUAL) {
            if (threads != null) {
                throw Problem.invalidField("threads", threads,
                        "nothing: virtual pools start a thread per task; change maxConcurrency instead");
            }
            if (maxConcurrency != null) {
                concurrency = intField("maxConcurrency", maxConcurrency, MAX_CONCURRENCY, 1);
            }
        } else {
            if (maxConcurrency != null) {
                throw Problem.invalidField("maxConcurrency", maxConcurrency,
                        "nothing: " + pool.kind().id() + " pools run as many tasks as they have threads; change threads instead");
            }
            if (threads != null) {
                concurrency = intField("threads", threads, MAX_THREADS, 1);
            }
        }
        int queue = queueCapacity == null ? current.queueCapacity() : intField("queueCapacity", queueCapacity, MAX_QUEUE, 0);
        PoolSettings updated = new PoolSettings(concurrency, queue);
        pool.reconfigure(updated);
        if (interval != null) {
            pool.model().setSwitchInterval(interval);
        }
        return updated;
    }

    private Duration parseInterval() {
        String allowed = "a duration from 0.1ms to 1s, such as 5ms, 1ms or 0.005 (seconds)";
        Duration interval = Durations.parse("switchInterval", switchInterval, Duration.ZERO, Duration.ofDays(1));
        if (interval.compareTo(MIN_SWITCH_INTERVAL) < 0 || interval.compareTo(MAX_SWITCH_INTERVAL) > 0) {
            throw Problem.invalidField("switchInterval", switchInterval, allowed);
        }
        return interval;
    }

    private static int intField(String name, Object value, int max, int min) {
        return Math.toIntExact((Long) ParamSpec.integer(name, min, min, max, null, name).accept(value, name));
    }
}
