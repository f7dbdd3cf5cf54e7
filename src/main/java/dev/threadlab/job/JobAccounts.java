package dev.threadlab.job;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Per-pool accounting of accepted jobs, so that "nothing accepted is ever dropped" can be checked from outside:
 * {@code submitted = finished + inFlight} at every moment. In-flight is kept on its own (+1 on accept, −1 on the
 * terminal transition), not derived, so a lost or doubled finish would break the equation.
 *
 * <p>Thread-safety: each pool's figures are one immutable record behind an {@link AtomicReference}, updated by CAS,
 * so every reader sees a consistent triple.
 */
public final class JobAccounts {

    /** One pool's figures at one moment. */
    public record Counts(long submitted, long finished, long inFlight, long rejected) {
        static final Counts ZERO = new Counts(0, 0, 0, 0);

        public boolean balanced() {
            return submitted == finished + inFlight && inFlight >= 0;
        }

        Counts plus(Counts other) {
            return new Counts(submitted + other.submitted, finished + other.finished, inFlight + other.inFlight,
                    rejected + other.rejected);
        }
    }

    private final Map<String, AtomicReference<Counts>> byPool = new ConcurrentHashMap<>();

    private AtomicReference<Counts> of(String pool) {
        return byPool.computeIfAbsent(pool, name -> new AtomicReference<>(Counts.ZERO));
    }

    /** Counted before the job's tasks are queued, so that a task ending at once never makes in-flight negative. */
    void accepted(String pool) {
        of(pool).updateAndGet(c -> new Counts(c.submitted + 1, c.finished, c.inFlight + 1, c.rejected));
    }

    /** The pool refused the job after all: take back {@link #accepted} and count a rejection, in one step. */
    void withdrawn(String pool) {
        of(pool).updateAndGet(c -> new Counts(c.submitted - 1, c.finished, c.inFlight - 1, c.rejected + 1));
    }

    void finished(String pool) {
        of(pool).updateAndGet(c -> new Counts(c.submitted, c.finished + 1, c.inFlight - 1, c.rejected));
    }

    void rejected(String pool) {
        of(pool).updateAndGet(c -> new Counts(c.submitted, c.finished, c.inFlight, c.rejected + 1));
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
