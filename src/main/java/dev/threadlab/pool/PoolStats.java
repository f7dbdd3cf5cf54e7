package dev.threadlab.pool;

/**
 * Live figures of a pool at one moment.
 *
 * @param threads        threads that exist for the pool now
 * @param activeTasks    tasks running now
 * @param queuedTasks    tasks accepted but waiting for a thread or permit
 * @param completedTasks tasks that ran to an end since start
 * @param rejectedJobs   jobs refused because the pool could not take all their tasks
 */
public record PoolStats(int threads, int activeTasks, int queuedTasks, long completedTasks, long rejectedJobs) {
}
