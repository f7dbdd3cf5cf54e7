package dev.threadlab.gil;

/**
 * Receives GIL events, e.g. to feed metrics. Called on the thread concerned, outside the token's lock; must be
 * thread-safe and fast.
 */
public interface GilListener {

    /** A task thread took the token after waiting {@code waitNanos}. */
    default void acquired(long waitNanos) {
    }

    /** A task thread released the token after holding it {@code holdNanos}. */
    default void released(long holdNanos, boolean forced) {
    }

    /** The probe got the token {@code lagNanos} after its I/O wait ended. */
    default void probeLag(long lagNanos) {
    }

    GilListener NONE = new GilListener() {
    };
}
