package dev.threadlab.job;

/** The instance is shutting down and accepts no new jobs; another instance may. Immutable; no stack trace. */
public final class ShuttingDownException extends RuntimeException {

    /** How long a client should wait before it submits again (elsewhere, through a balancer). */
    public static final long RETRY_AFTER_SECONDS = 5;

    ShuttingDownException() {
        super("this instance is shutting down and accepts no new jobs; submit to another instance", null, false, false);
    }
}
