package dev.threadlab.workload;

import dev.threadlab.input.ParamSpec;
import dev.threadlab.input.Params;
import dev.threadlab.pool.TaskContext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** Mixed work: {@code rounds} of CPU work followed by a blocking wait, like a request handler. */
public final class MixedWorkload extends BaseWorkload {

    private final int maxRounds;
    private final long maxIterations;
    private final long maxIoMs;

    public MixedWorkload(int maxRounds, long maxIterations, long maxIoMs) {
        super("mixed",
                "Mixed: rounds of CPU work then a blocking wait; scales with threads only as far as the CPU part allows",
                "cpu");
        this.maxRounds = maxRounds;
        this.maxIterations = maxIterations;
        this.maxIoMs = maxIoMs;
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.integer("rounds", 10, 1, maxRounds, "rounds", "how often to compute then wait"),
                ParamSpec.integer("cpuIterations", 100_000, 0, maxIterations, "iterations", "kernel steps per round"),
                ParamSpec.integer("ioMs", 10, 0, maxIoMs, "ms", "blocking wait per round"));
    }

    @Override
    public WorkloadRun start(Params params, int tasks, ContentionSink contention) {
        return new Run(params.getInt("rounds"), params.getLong("cpuIterations"), params.getLong("ioMs"));
    }

    /** Thread-safety: adders only. */
    private static final class Run implements WorkloadRun {
        private final int rounds;
        private final long cpuIterations;
        private final long ioMs;
        private final LongAdder cpuNanos = new LongAdder();
        private final LongAdder ioNanos = new LongAdder();

        Run(int rounds, long cpuIterations, long ioMs) {
            this.rounds = rounds;
            this.cpuIterations = cpuIterations;
            this.ioMs = ioMs;
        }

        @Override
        public void runTask(TaskContext context) throws Exception {
            long ioWait = TimeUnit.MILLISECONDS.toNanos(ioMs);
            for (int round = 0; round < rounds; round++) {
                long start = System.nanoTime();
                CpuKernel.run(cpuIterations, context);
                long computed = System.nanoTime();
                context.sleep(ioWait);
                cpuNanos.add(computed - start);
                ioNanos.add(System.nanoTime() - computed);
            }
        }

        @Override
        public Map<String, Object> summary() {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("rounds", rounds);
            result.put("cpuIterations", cpuIterations);
            result.put("ioMs", ioMs);
            result.put("computeMs", Math.round(cpuNanos.sum() / 1e6));
            result.put("waitMs", Math.round(ioNanos.sum() / 1e6));
            return result;
        }
    }
}
