package dev.threadlab.pool;

import dev.threadlab.problem.Problem;
import dev.threadlab.workload.ParamSpec;

/**
 * A client's change to a pool's live settings (fields absent stay as they are). Numbers stay raw so validation
 * can name the field, the value and the allowed range.
 */
public record PoolUpdate(Object threads, Object maxConcurrency, Object queueCapacity) {

    public static final int MAX_THREADS = 1024;
    public static final int MAX_CONCURRENCY = 100_000;
    public static final int MAX_QUEUE = 1_000_000;

    /**
     * Validates the change against the pool's kind and applies it.
     *
     * @throws Problem 400 naming the field
     */
    public PoolSettings applyTo(Pool pool) {
        PoolSettings current = pool.settings();
        if (threads == null && maxConcurrency == null && queueCapacity == null) {
            throw Problem.invalidField("body", "{}", "at least one of threads, maxConcurrency, queueCapacity");
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
        return updated;
    }

    private static int intField(String name, Object value, int max, int min) {
        return Math.toIntExact((Long) ParamSpec.integer(name, min, min, max, null, name).accept(value, name));
    }
}
