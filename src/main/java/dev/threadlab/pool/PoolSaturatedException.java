package dev.threadlab.pool;

/**
 * A pool cannot hold all tasks of a job: the job is refused whole. Carries what a client needs to react: how full the
 * pool is and how long it will likely take to free room. Immutable; no stack trace (it is an answer, not a fault).
 */
public final class PoolSaturatedException extends RuntimeException {

    private final String pool;
    private final int held;
    private final long capacity;
    private final int requested;
    private final long retryAfterSeconds;

    PoolSaturatedException(String pool, int held, long capacity, int requested, long retryAfterSeconds) {
        super("pool '" + pool + "' holds " + held + " of " + capacity + " tasks and cannot take " + requested
                + " more; retry later or use another pool", null, false, false);
        this.pool = pool;
        this.held = held;
        this.capacity = capacity;
        this.requested = requested;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public String pool() {
        return pool;
    }

    public int held() {
        return held;
    }

    public long capacity() {
        return capacity;
    }

    public int requested() {
        return requested;
    }

    /** Seconds until the pool has likely worked off what it holds, from its recent completion rate; 1 to 60. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
