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

    /**
     * A job of another instance, one that stopped answering, was recorded here as FAILED ({@code instance-lost}):
     * of all instances, only the one that claimed it in the shared store records it.
     */
    default void recordedLost(String pool, String workload) {
    }

    /** Where workloads on this pool report lock waits and lost updates. */
    default ContentionSink contention(String pool) {
        return ContentionSink.NONE;
    }

    JobEvents NONE = new JobEvents() {
    };

    /** Tells {@code first}, then {@code second}; contention goes to {@code first} alone. */
    static JobEvents both(JobEvents first, JobEvents second) {
        return new JobEvents() {
            @Override
            public void accepted(Job job) {
                first.accepted(job);
                second.accepted(job);
            }

            @Override
            public void rejected(String pool, String workload, String reason) {
                first.rejected(pool, workload, reason);
                second.rejected(pool, workload, reason);
            }

            @Override
            public void started(Job job, long queueNanos) {
                first.started(job, queueNanos);
                second.started(job, queueNanos);
            }

            @Override
            public void taskEnded(Job job, TaskOutcome outcome) {
                first.taskEnded(job, outcome);
                second.taskEnded(job, outcome);
            }

            @Override
            public void ended(Job job, JobState state, long runNanos) {
                first.ended(job, state, runNanos);
                second.ended(job, state, runNanos);
            }

            @Override
            public void recordedLost(String pool, String workload) {
                first.recordedLost(pool, workload);
                second.recordedLost(pool, workload);
            }

            @Override
            public ContentionSink contention(String pool) {
                return first.contention(pool);
            }
        };
    }
}
