package dev.threadlab.job;

import dev.threadlab.workload.ContentionSink;

/**
 * Receives the engine's events, e.g. to keep metrics. Called on the thread where the event happened (a request
 * thread or a pool thread), so implementations must be thread-safe and must not block.
 */
public interface JobObserver {

    default void submitted(Job job) {
    }

    default void rejected(String pool, String workload, String reason) {
    }

    /** The first task of the job started, {@code queueNanos} after submission. */
    default void started(Job job, long queueNanos) {
    }

    /** The job reached a terminal state; {@code runNanos} is first start to now, or -1 if it never started. */
    default void finished(Job job, JobState state, long runNanos) {
    }

    default void taskFinished(Job job, TaskOutcome outcome) {
    }

    /** Where workloads on this pool report lock waits and lost updates. */
    default ContentionSink contention(String pool) {
        return ContentionSink.NONE;
    }

    JobObserver NONE = new JobObserver() {
    };
}
