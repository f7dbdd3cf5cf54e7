package dev.threadlab.experiment;

import dev.threadlab.job.JobView;

import java.util.Map;

/**
 * What one repetition of a point measured, read off its finished job. Figures a workload or pool kind does not
 * produce are null. Immutable.
 */
record Measurement(String state, double wallMs, Double cpuMs, Double queueMs, Double gilWaitMs, Double chunkLatencyP50Ms,
                   Double lostUpdates, Double lockWaitMs) {

    static Measurement of(JobView job) {
        JobView.Timings timings = job.timings();
        Map<String, Object> result = job.result();
        return new Measurement(job.state().name(),
                timings.wallMs() == null ? 0 : timings.wallMs(),
                timings.cpuMs() == null ? null : timings.cpuMs().doubleValue(),
                timings.queueMs() == null ? null : timings.queueMs().doubleValue(),
                number(result.get("gil"), "waitMs"),
                number(result.get("chunkLatency"), "p50Ms"),
                number(result, "lostUpdates"),
                number(result, "lockWaitMs"));
    }

    private static Double number(Object map, String key) {
        if (map instanceof Map<?, ?> values && values.get(key) instanceof Number number) {
            return number.doubleValue();
        }
        return null;
    }
}
