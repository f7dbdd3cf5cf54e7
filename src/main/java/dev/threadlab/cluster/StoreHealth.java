package dev.threadlab.cluster;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared store as this instance sees it: which store it is, whether its last operation succeeded and since
 * when, and how many operations failed. The memory store is always up; a Redis store is down until it first answers.
 *
 * <p>Thread-safety: atomics; a change of state is logged once, by the thread that made it.
 */
public final class StoreHealth {

    private static final Logger LOG = Logger.getLogger(StoreHealth.class);

    private final String store;
    private final AtomicBoolean up;
    private final AtomicLong upSinceNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong downSinceNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong errors = new AtomicLong();
    private final AtomicBoolean reached;
    private final long outageNanos;

    private StoreHealth(String store, boolean up, long outageNanos) {
        this.store = store;
        this.up = new AtomicBoolean(up);
        this.reached = new AtomicBoolean(up);
        this.outageNanos = outageNanos;
    }

    public static StoreHealth memory() {
        return new StoreHealth("memory", true, 0);
    }

    /** @param outage how long the store must have been down for its return to count as coming up anew */
    public static StoreHealth redis(Duration outage) {
        return new StoreHealth("redis", false, outage.toNanos());
    }

    /** {@code memory} or {@code redis}. */
    public String store() {
        return store;
    }

    public boolean up() {
        return up.get();
    }

    /** Operations on the store that failed or got no answer in time, since start. */
    public long errors() {
        return errors.get();
    }

    /**
     * How long the store has been up: since it first answered, since it returned from an outage (down for longer than
     * the outage given), or since it was found restarted; a failed operation or two in between does not count. 0 while
     * it is down.
     */
    public long upForMillis() {
        return up.get() ? (System.nanoTime() - upSinceNanos.get()) / 1_000_000 : 0;
    }

    void succeeded() {
        if (up.compareAndSet(false, true)) {
            long now = System.nanoTime();
            boolean first = !reached.getAndSet(true);
            if (first || now - downSinceNanos.get() >= outageNanos) {
                upSinceNanos.set(now);
            }
            LOG.infof(first ? "the %s store answers" : "the %s store answers again", store);
        }
    }

    void failed(Throwable cause) {
        errors.incrementAndGet();
        if (up.compareAndSet(true, false)) {
            downSinceNanos.set(System.nanoTime());
            LOG.warnf("the %s store is unavailable (%s): jobs still run here; what needs the store answers 503 until it is back",
                    store, cause.getMessage());
        }
    }

    /** The store came back empty (restarted): its view of the instances is as new as if it had just come up. */
    void restarted() {
        upSinceNanos.set(System.nanoTime());
    }
}
