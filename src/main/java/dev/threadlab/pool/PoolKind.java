package dev.threadlab.pool;

import java.util.Locale;

/** How a pool runs its tasks. */
public enum PoolKind {
    /** A fixed number of platform threads; tasks beyond them wait in a bounded queue. */
    PLATFORM,
    /** A virtual thread per task, at most max-concurrency at once; the rest wait in a bounded queue. */
    VIRTUAL,
    /** Platform threads that must hold an interpreter's token (a simulated CPython GIL) to run workload code. */
    GIL;

    private final String id = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in JSON and metric tags; computed once, as every job reads it. */
    public String id() {
        return id;
    }
}
