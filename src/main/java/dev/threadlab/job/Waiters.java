package dev.threadlab.job;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts join and wait requests waiting at once and refuses them beyond a limit. Thread-safe (CAS). */
public final class Waiters {

    private final AtomicInteger waiting = new AtomicInteger();
    private final int limit;

    public Waiters(int limit) {
        this.limit = limit;
    }

    /** @throws TooManyWaitersException when the limit is reached */
    public void enter() {
        while (true) {
            int current = waiting.get();
            if (current >= limit) {
                throw new TooManyWaitersException(current, limit);
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
