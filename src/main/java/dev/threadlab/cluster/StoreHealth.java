package dev.threadlab.cluster;

import org.jboss.logging.Logger;

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
    private final AtomicLong errors = new AtomicLong();
    private final AtomicBoolean reached;

    private StoreHealth(String store, boolean up) {
        this.store = store;
        this.up = new AtomicBoolean(up);
        this.reached = new AtomicBoolean(up);
    }

    public static StoreHealth memory() {
        return new StoreHealth("memory", true);
    }

    public static StoreHealth redis() {
        return new StoreHealth("redis", false);
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

    /** How long the store has answered without a failure; 0 while it is down. */
    public long upForMillis() {
        return up.get() ? (System.nanoTime() - upSinceNanos.get()) / 1_000_000 : 0;
    }

    void succeeded() {
        if (up.compareAndSet(false, true)) {
            upSinceNanos.set(System.nanoTime());
            LOG.infof(reached.getAndSet(true) ? "the %s store answers again" : "the %s store answers", store);
        }
    }

    void failed(Throwable cause) {
        errors.incrementAndGet();
        if (up.compareAndSet(true, false)) {
            LOG.warnf("the %s store is unavailable (%s): jobs still run here; what needs the store answers 503 until it is back",
                    store, cause.getMessage());
        }
    }

    /** The store came back empty (restarted): its view of the instances is as new as if it had just come up. */
    void restarted() {
        upSinceNanos.set(System.nanoTime());
    }
}
