package dev.threadlab.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * One point of an experiment, summarised over its repetitions (medians). Immutable.
 *
 * @param speedup        tasks × median wall at tasks = 1 ÷ median wall here: how much faster than running the tasks
 *                       one after another on the same pool (null without a tasks = 1 point)
 * @param efficiency     speedup ÷ tasks
 * @param cpuUtilisation CPU time ÷ wall time, in cores (null on virtual threads, whose CPU time is not measured)
 * @param gilWaitShare   time tasks waited for a GIL token ÷ their total time (gil pools only)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Row(Map<String, Object> variant, String pool, int tasks, int background, int repeats,
                  double medianWallMs, double minWallMs, double maxWallMs, double throughputPerSecond, Double speedup,
                  Double efficiency, Double cpuUtilisation, Double gilWaitShare, Double queueMs, Double chunkLatencyP50Ms,
                  Double lostUpdates, Double lockWaitMs) {
}
