package dev.threadlab.pool;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * What a running task sees of the pool kind it runs on. Workloads call it and never ask which kind it is:
 * a GIL pool, for instance, hands its token over at {@link #checkpoint()} and releases it around
 * {@link #blocking}. One context belongs to one task and is used only by that task's thread.
 */
public interface TaskContext {

    /**
     * A cheap point at which the task may be stopped or made to yield. CPU loops call it at least every
     * ~100 µs of work.
     *
     * @throws TaskCancelledException once the task has been cancelled
     */
    void checkpoint();

    /**
     * Runs a blocking wait (sleep, file or network I/O, a contended lock). An interrupt caused by
     * cancellation surfaces as {@link TaskCancelledException}.
     */
    <T> T blocking(BlockingCall<T> call) throws IOException;

    /** Index of this task within its job, 0-based. */
    int taskIndex();

    /** A blocking sleep that stands for a network or disk wait. */
    default void sleep(long nanos) throws IOException {
        blocking(() -> {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return null;
        });
    }

    /** A blocking operation. */
    @FunctionalInterface
    interface BlockingCall<T> {
        T call() throws IOException, InterruptedException;
    }
}
