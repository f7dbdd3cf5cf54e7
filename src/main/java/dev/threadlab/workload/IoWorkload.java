package dev.threadlab.workload;

import dev.threadlab.input.ParamSpec;
import dev.threadlab.input.Params;
import dev.threadlab.pool.TaskContext;
import dev.threadlab.stats.LatencyHistogram;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * I/O-bound work: a blocking wait that stands for a network or disk wait, split into {@code chunks} waits, each
 * followed by a little CPU work ("parse the response"). Records how long each chunk really took, wait plus
 * whatever the pool made the task wait to run again (on a GIL pool: the convoy effect).
 */
public final class IoWorkload extends BaseWorkload {

    /** Kernel steps of "parsing" after each chunk: about a microsecond. */
    static final int PARSE_ITERATIONS = 200;

    private final long maxDurationMs;
    private final int maxChunks;

    public IoWorkload(long maxDurationMs, int maxChunks) {
        super("io",
                "I/O-bound: blocking waits (like network calls); threads overlap them, so N tasks take about one wait",
                "io");
        this.maxDurationMs = maxDurationMs;
        this.maxChunks = maxChunks;
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.integer("durationMs", 100, 0, maxDurationMs, "ms", "total blocking wait per task"),
                ParamSpec.integer("chunks", 1, 1, maxChunks, "waits", "the wait is split into this many blocking waits"));
    }

    @Override
    public WorkloadRun start(Params params, int tasks, ContentionSink contention) {
        return new Run(params.getLong("durationMs"), params.getInt("chunks"), tasks);
    }

    /** Thread-safety: the histogram is lock-free. */
    private static final class Run implements WorkloadRun {
        private final long durationMs;
        private final int chunks;
        private final long chunkNanos;
        private final LatencyHistogram chunkLatency;

        Run(long durationMs, int chunks, int tasks) {
            this.durationMs = durationMs;
            this.chunks = chunks;
            this.chunkNanos = TimeUnit.MILLISECONDS.toNanos(durationMs) / chunks;
            // exact percentiles for every chunk up to the histogram's default, and no room kept beyond what comes
            this.chunkLatency = new LatencyHistogram((int) Math.min((long) chunks * tasks, LatencyHistogram.DEFAULT_EXACT));
        }

        @Override
        public void runTask(TaskContext context) throws Exception {
            for (int i = 0; i < chunks; i++) {
                long start = System.nanoTime();
                context.sleep(chunkNanos);
                chunkLatency.record(System.nanoTime() - start);
                CpuKernel.run(PARSE_ITERATIONS, context);
            }
        }

        @Override
        public Map<String, Object> summary() {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("durationMs", durationMs);
            result.put("chunks", chunks);
            result.put("chunkWaitMs", LatencyHistogram.round(chunkNanos / 1e6));
            result.put("chunkLatency", chunkLatency.summaryMillis());
            return result;
        }
    }
}
