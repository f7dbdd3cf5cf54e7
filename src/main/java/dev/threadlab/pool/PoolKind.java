package dev.threadlab.pool;

import java.util.Locale;

/** How a pool runs its tasks. */
public enum PoolKind {
    /** A fixed number of platform threads; tasks beyond them wait in a bounded queue. */
    PLATFORM,
    /** A virtual thread per task, at most max-concurrency at once; the rest wait in a bounded queue. */
    VIRTUAL;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
