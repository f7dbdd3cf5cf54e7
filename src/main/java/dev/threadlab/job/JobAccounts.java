package dev.threadlab.job;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Per-pool accounting of jobs, so that "nothing accepted is ever dropped" can be checked from outside. Every end of a
 * job is counted in {@code finished}; only its first end leaves {@code inFlight}, a repeated one counts as a
 * {@code duplicateEnd} instead. So a job ended twice breaks {@code submitted = finished + inFlight}, and a job
 * that never ends stays in flight (see {@link JobEngine#stalled()} for jobs whose tasks all ended).
 *
 * <p>Thread-safety: each pool's figures are one immutable record behind an {@link AtomicReference}, updated by CAS,
 * so every reader sees a consistent set.
 */
public final class JobAccounts {

    /** One pool's figures at one moment. */
    public record Counts(long submitted, long finished, long inFlight, long rejected, long duplicateEnds) {
        static final Counts ZERO = new Counts(0, 0, 0, 0, 0);

        /** Every accepted job is finished once or still in flight, and none ended twice. */
        public boolean balanced() {
            return submitted == finished + inFlight && inFlight >= 0 && duplicateEnds == 0;
        }

        Counts plus(Counts other) {
            return new Counts(submitted + other.submitted, finished + other.finished, inFlight + other.inFlight,
                    rejected + other.rejected, duplicateEnds + other.duplicateEnds);
        }
    }

    private final Map<String, AtomicReference<Counts>> byPool = new ConcurrentHashMap<>();

    private AtomicReference<Counts> of(String pool) {
        return byPool.computeIfAbsent(pool, name -> new AtomicReference<>(Counts.ZERO));
    }

    /** Counted before the job's tasks are queued, so that a task ending at once never makes in-flight negative. */
    void accepted(String pool) {
        of(pool).updateAndGet(c -> new Counts(c.submitted + 1, c.finished, c.inFlight + 1, c.rejected, c.duplicateEnds));
    }

    /** @param firstEnd false when this job's end was counted before */
    void ended(String pool, boolean firstEnd) {
        of(pool).updateAndGet(c -> firstEnd
                ? new Counts(c.submitted, c.finished + 1, c.inFlight - 1, c.rejected, c.duplicateEnds)
                : new Counts(c.submitted, c.finished + 1, c.inFlight, c.rejected, c.duplicateEnds + 1));
    }

    void rejected(String pool) {
        of(pool).updateAndGet(c -> new Counts(c.submitted, c.finished, c.inFlight, c.rejected + 1, c.duplicateEnds));
    }

    public Counts counts(String pool) {
        return of(pool).get();
    }

    /** Every pool's figures and their sum. */
    public Map<String, Counts> snapshot() {
        Map<String, Counts> snapshot = new LinkedHashMap<>();
        Counts total = Counts.ZERO;
        for (var entry : new TreeMap<>(byPool).entrySet()) {
            Counts counts = entry.getValue().get();
            snapshot.put(entry.getKey(), counts);
            total = total.plus(counts);
        }
        snapshot.put("total", total);
        return snapshot;
    }
}
