package dev.threadlab.pool;

/**
 * How a pool kind runs one task on the thread it was given. The plain model just calls the task; the GIL
 * model makes it hold an interpreter token while it computes. Implementations are thread-safe.
 */
public interface ExecutionModel {

    void run(TaskHandle handle, PoolTask task);

    /** Calls the task with a context that only checks for cancellation. */
    ExecutionModel PLAIN = (handle, task) -> task.run(new PlainTaskContext(handle));
}
