package dev.threadlab.pool;

/** A unit of work a pool runs once. Implementations must not throw from either method. */
public interface PoolTask {

    /** Runs the task on a pool thread. */
    void run(TaskContext context);

    /** The task will never run: it was cancelled while queued, or its pool shut down. */
    void discarded();
}
