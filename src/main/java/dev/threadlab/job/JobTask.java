package dev.threadlab.job;

import dev.threadlab.pool.PoolTask;
import dev.threadlab.pool.TaskCancelledException;
import dev.threadlab.pool.TaskContext;
import dev.threadlab.workload.WorkloadRun;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One task of a job, as its pool runs it: times it, runs the workload, reports the outcome to the job. Immutable;
 * {@link #run} is called once, on the pool thread that claimed the task, {@link #discarded} instead of it.
 */
final class JobTask implements PoolTask {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Job job;
    private final WorkloadRun run;
    private final int index;

    JobTask(Job job, WorkloadRun run, int index) {
        this.job = job;
        this.run = run;
        this.index = index;
    }

    @Override
    public void run(TaskContext context) {
        job.taskStarted();
        long start = System.nanoTime();
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        TaskOutcome outcome = TaskOutcome.SUCCEEDED;
        String error = null;
        try {
            context.checkpoint();
            run.runTask(context);
            double failProbability = job.failProbability();
            if (failProbability > 0 && ThreadLocalRandom.current().nextDouble() < failProbability) {
                outcome = TaskOutcome.FAILED;
                error = "injected failure (failProbability=" + failProbability + ")";
            }
        } catch (TaskCancelledException e) {
            outcome = TaskOutcome.CANCELLED;
        } catch (Exception e) {
            if (job.cancelRequested() || Thread.currentThread().isInterrupted()) {
                outcome = TaskOutcome.CANCELLED;
            } else {
                outcome = TaskOutcome.FAILED;
                error = describe(e);
            }
        }
        long cpuEnd = THREADS.getCurrentThreadCpuTime();
        long cpu = cpuStart < 0 || cpuEnd < 0 ? -1 : cpuEnd - cpuStart;
        job.taskEnded(index, outcome, System.nanoTime() - start, cpu, error, context.figures());
    }

    @Override
    public void discarded() {
        job.taskEnded(index, TaskOutcome.DISCARDED, -1, -1, null, Map.of());
    }

    /** A client-safe description: the message, never a class name or stack trace. */
    private static String describe(Exception e) {
        String message = e.getMessage();
        String kind = e instanceof IOException ? "I/O error" : "unexpected error";
        return message == null || message.isBlank() ? kind : kind + ": " + message;
    }
}
