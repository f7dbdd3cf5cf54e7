package dev.threadlab.job;

import dev.threadlab.workload.ContentionSink;

/**
 * What the engine tells the world outside it (metrics) about jobs, in the order of a job's life; see
 * {@link JobEngine} for the sequence. Called on the thread where the event happens (a request thread, a pool
 * thread, the scheduler), never while a job's lock is held; implementations must be thread-safe and must not block.
 */
public interface JobEvents {

    /** The job was accepted; called before any of its tasks can start or end. */
    default void accepted(Job job) {
    }

    /** A job was refused whole ({@code reason}: {@code queue_full}, {@code shutting_down}). */
    default void rejected(String pool, String workload, String reason) {
    }

    /** The first task of the job started, {@code queueNanos} after submission. */
    default void started(Job job, long queueNanos) {
    }

    default void taskEnded(Job job, TaskOutcome outcome) {
    }

    /** The job reached a terminal state; {@code runNanos} is first start to its end, or -1 if it never started. */
    default void ended(Job job, JobState state, long runNanos) {
    }

    /** Where workloads on this pool report lock waits and lost updates. */
    default ContentionSink contention(String pool) {
        return ContentionSink.NONE;
    }

    JobEvents NONE = new JobEvents() {
    };
}
