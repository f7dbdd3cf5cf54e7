package dev.threadlab.live;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the event streams open on this instance and refuses new ones beyond a limit: each stream costs a connection
 * and a little memory, never a thread. Thread-safe (CAS).
 */
public final class StreamSlots {

    private final AtomicInteger open = new AtomicInteger();
    private final int limit;

    public StreamSlots(int limit) {
        this.limit = limit;
    }

    /** @throws TooManyStreamsException at the limit */
    public void enter() {
        while (true) {
            int current = open.get();
            if (current >= limit) {
                throw new TooManyStreamsException(limit);
            }
            if (open.compareAndSet(current, current + 1)) {
                return;
            }
        }
    }

    public void exit() {
        open.decrementAndGet();
    }

    public int open() {
        return open.get();
    }

    public int limit() {
        return limit;
    }
}
