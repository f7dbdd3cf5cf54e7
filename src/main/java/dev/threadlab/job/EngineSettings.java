package dev.threadlab.job;

import java.time.Duration;

/**
 * Limits and retention of the job engine.
 *
 * @param maxTasks         most tasks one job may fan out into
 * @param defaultTimeoutMs deadline of a job that names none
 * @param maxTimeoutMs     longest deadline a client may ask for
 * @param retention        how long finished jobs stay readable
 * @param maxRetained      how many finished jobs stay readable
 */
public record EngineSettings(int maxTasks, long defaultTimeoutMs, long maxTimeoutMs, Duration retention,
                             int maxRetained) {
}
