package dev.threadlab.cluster;

import java.time.Duration;

/**
 * How the instances of a shared store keep track of each other, and the bounds they keep there.
 *
 * @param heartbeat       how often an instance renews its heartbeat and publishes its figures
 * @param instanceTimeout an instance whose heartbeat is this old is lost
 * @param cancelWait      how long a cancel waits for the owner's confirmation
 * @param patchWait       how long a pool change waits for the other instances' confirmations
 * @param retention       how long finished jobs and experiments stay readable
 * @param maxRetained     how many finished jobs of each instance stay readable
 * @param maxTimeoutMs    the longest a job may run (its deadline's cap)
 * @param maxWait         the longest a join or wait waits
 */
public record ClusterSettings(Duration heartbeat, Duration instanceTimeout, Duration cancelWait, Duration patchWait,
                              Duration retention, int maxRetained, long maxTimeoutMs, Duration maxWait) {
}
