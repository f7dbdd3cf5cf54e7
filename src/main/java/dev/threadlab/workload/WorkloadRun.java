package dev.threadlab.workload;

import dev.threadlab.pool.TaskContext;

import java.util.Map;

/**
 * One job's worth of a workload: every task of the job calls {@link #runTask} concurrently on its own thread,
 * and the summary aggregates what the tasks did. Implementations are thread-safe.
 */
public interface WorkloadRun {

    /** Does one task's work. Throws to fail the task; {@code TaskCancelledException} ends it as cancelled. */
    void runTask(TaskContext context) throws Exception;

    /**
     * What the tasks produced so far, aggregated (final once every task has ended). Must not block or take a lock a
     * task may hold: it is called by status reads, on event-loop threads and under the job's lock.
     */
    Map<String, Object> summary();

    /** Called once, after every task has ended and before the final summary. */
    default void finished() {
    }
}
