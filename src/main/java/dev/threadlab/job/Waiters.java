package dev.threadlab.job;

import dev.threadlab.problem.Problem;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts join and wait requests waiting at once and refuses them beyond a limit. Thread-safe (CAS). */
public final class Waiters {

    private final AtomicInteger waiting = new AtomicInteger();
    private final int limit;

    public Waiters(int limit) {
        this.limit = limit;
    }

    /** @throws Problem 503 {@code too-many-waiters} when the limit is reached */
    public void enter() {
        while (true) {
            int current = waiting.get();
            if (current >= limit) {
                throw Problem.of(503, "too-many-waiters", "Too many waiting requests",
                        current + " join/wait requests are waiting already (limit " + limit
                                + "); poll GET /jobs/{id} or retry later").retryAfter(1);
            }
            if (waiting.compareAndSet(current, current + 1)) {
                return;
            }
        }
    }

    public void exit() {
        waiting.decrementAndGet();
    }

    public int waiting() {
        return waiting.get();
    }

    public int limit() {
        return limit;
    }
}
