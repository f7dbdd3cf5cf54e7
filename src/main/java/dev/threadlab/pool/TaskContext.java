package dev.threadlab.pool;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a running task sees of the pool kind it runs on. Workloads call it and never ask which kind it is:
 * a GIL pool, for instance, hands its token over at {@link #checkpoint()} and releases it around
 * {@link #blocking}. One context belongs to one task and is used only by that task's thread.
 *
 * <p>Contract for tasks: call {@link #checkpoint()} before running any code of the workload (a GIL pool takes its
 * token there, as a thread needs the GIL to start running Python code), and wrap every blocking wait in
 * {@link #blocking}.
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
     * Runs a blocking wait (sleep, file or network I/O, a contended lock). An interrupt caused by cancellation
     * during the call surfaces as {@link TaskCancelledException}. A call that completed always returns its result,
     * even when the task is cancelled while the pool kind resumes it (a GIL pool taking its token back): whatever
     * the call acquired reaches the caller, and the cancel is seen at the next checkpoint or blocking call.
     */
    <T> T blocking(BlockingCall<T> call) throws IOException;

    /** Index of this task within its job, 0-based. */
    int taskIndex();

    /**
     * The task's own code is over: the pool kind lets go of what it held for it (a GIL pool: the token), so that the
     * task's bookkeeping does not count as work. Idempotent; the pool kind calls it too when the task returns.
     */
    default void finish() {
    }

    /** Figures the pool kind measured for this task (a GIL pool: token wait and hold times); none by default. */
    default Map<String, Number> figures() {
        return Map.of();
    }

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
