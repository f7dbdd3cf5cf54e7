package dev.threadlab.job;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.Map;

/**
 * A job as clients see it: an immutable snapshot taken under the job's lock; or, as the answer to an async submit,
 * only what identifies the accepted job (absent fields are left out of the JSON).
 *
 * @param params       effective parameters, defaults filled in
 * @param cancelReason why a CANCELLED or TIMED_OUT job was stopped: {@code client}, {@code timeout}, {@code shutdown}
 * @param result       workload-specific, aggregated over the tasks that ended so far
 * @param error        problem-shaped, when FAILED
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(String id, String workload, String pool, int tasks, Map<String, Object> params, Long timeoutMs,
                      JobState state, Boolean done, String cancelReason, Instant submittedAt, Instant startedAt,
                      Instant finishedAt, Progress progress, Timings timings, Map<String, Object> result,
                      Map<String, Object> error) {

    /** Tasks ended so far (any outcome) out of all tasks; failed and cancelled among them. */
    public record Progress(int tasksDone, int tasks, int tasksFailed, int tasksCancelled) {
    }

    /**
     * @param queueMs submission to the first task start
     * @param wallMs  first task start to last task end (to now while tasks run)
     * @param taskWallMs per-task wall time over the tasks that ran
     * @param cpuMs   summed thread CPU time of the tasks; absent on virtual threads, whose CPU time the JVM does not measure
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Timings(Long queueMs, Long wallMs, TaskWall taskWallMs, Long cpuMs) {
    }

    public record TaskWall(long min, long median, long max) {
    }
}
