package dev.threadlab.workload;

import dev.threadlab.input.ParamSpec;
import dev.threadlab.input.Params;
import dev.threadlab.pool.TaskContext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** CPU-bound work: every task runs the {@link CpuKernel} for {@code iterations} steps. */
public final class CpuWorkload extends BaseWorkload {

    private final long maxIterations;

    public CpuWorkload(long maxIterations) {
        super("cpu",
                "CPU-bound: a deterministic hashing loop; threads only help if they run on separate cores",
                "cpu");
        this.maxIterations = maxIterations;
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.integer("iterations", 1_000_000, 1, maxIterations, "iterations",
                        "steps of the hashing kernel per task (a few ns each)"),
                ParamSpec.bool("observeTurns", false,
                        "the tasks note when they take turns (result.turns: hand-overs per second, slice lengths), "
                                + "as CPython's GIL experiment does; meant for a few tasks on a gil pool"));
    }

    @Override
    public WorkloadRun start(Params params, int tasks, ContentionSink contention) {
        return new Run(params.getLong("iterations"), params.getBoolean("observeTurns") ? new Turns() : null);
    }

    /**
     * Thread-safety: the first checksum wins a CAS, later ones are compared against it; counted after the CAS, so
     * a reader that sees a completed task also sees its checksum.
     */
    private static final class Run implements WorkloadRun {
        private static final long UNSET = 0;
        private final long iterations;
        private final AtomicLong firstChecksum = new AtomicLong(UNSET);
        private final LongAdder mismatches = new LongAdder();
        private final LongAdder tasksDone = new LongAdder();
        /** Null unless the tasks note their turns. */
        private final Turns turns;

        Run(long iterations, Turns turns) {
            this.iterations = iterations;
            this.turns = turns;
        }

        @Override
        public void runTask(TaskContext context) {
            long checksum = CpuKernel.run(iterations, turns == null ? context : turns.watch(context, context.taskIndex()));
            if (!firstChecksum.compareAndSet(UNSET, checksum) && firstChecksum.get() != checksum) {
                mismatches.increment();
            }
            tasksDone.increment();
        }

        @Override
        public Map<String, Object> summary() {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("iterationsPerTask", iterations);
            long done = tasksDone.sum();
            result.put("tasksCompleted", done);
            if (done > 0) { // no checksum to show or compare before a task has computed one
                result.put("checksum", CpuKernel.hex(firstChecksum.get()));
                result.put("checksumsAgree", mismatches.sum() == 0);
            }
            if (turns != null) {
                result.put("turns", turns.summary());
            }
            return result;
        }
    }
}
