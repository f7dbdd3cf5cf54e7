package dev.threadlab.pool;

/** A pool that has shut down accepts no tasks. Immutable; no stack trace. */
public final class PoolShutDownException extends RuntimeException {

    PoolShutDownException(String pool) {
        super("pool '" + pool + "' is shutting down and accepts no new tasks", null, false, false);
    }
}
