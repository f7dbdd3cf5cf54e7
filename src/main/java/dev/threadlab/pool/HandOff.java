package dev.threadlab.pool;

/**
 * When a pool hands newly queued tasks to its threads. Waking a parked pool thread takes a futex wake and a context
 * switch. A thread that accepts many jobs in a row, like an event loop answering a burst of requests, can hand over
 * once after the burst instead: its tasks wait in the queue a little longer, and the pool's threads wake once for
 * all of them.
 *
 * <p>Implementations are called concurrently by every submitting thread and must be thread-safe.
 */
@FunctionalInterface
public interface HandOff {

    /**
     * Arranges for {@code handOver} to run on the current thread once that thread has finished what it is doing
     * now, and returns true; or returns false, and the caller runs it at once.
     */
    boolean deferOnCurrentThread(Runnable handOver);

    /** Always at once. */
    HandOff IMMEDIATE = handOver -> false;
}
