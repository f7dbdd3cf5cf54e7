package dev.threadlab.job;

import dev.threadlab.pool.PoolTask;
import dev.threadlab.pool.TaskCancelledException;
import dev.threadlab.pool.TaskContext;
import dev.threadlab.workload.WorkloadRun;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One task of a job, as its pool runs it: times it, runs the workload, and reports its start and end to the
 * {@link JobEngine}, whatever the workload throws. Immutable; {@link #run} is called once, on the pool thread that
 * claimed the task, {@link #discarded} instead of it.
 */
final class JobTask implements PoolTask {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Logger LOG = Logger.getLogger(JobTask.class);

    private final JobEngine engine;
    private final Job job;
    private final WorkloadRun run;
    private final int index;

    JobTask(JobEngine engine, Job job, WorkloadRun run, int index) {
        this.engine = engine;
        this.job = job;
        this.run = run;
        this.index = index;
    }

    @Override
    public void run(TaskContext context) {
        if (job.cancelRequested()) {
            // stopped between being stored and its tasks being handed their cancel: no workload code runs for it
            engine.taskEnded(job, index, TaskOutcome.CANCELLED, -1, -1, null, Map.of());
            return;
        }
        long start = System.nanoTime();
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        TaskOutcome outcome = TaskOutcome.SUCCEEDED;
        String error = null;
        Error fatal = null;
        try {
            engine.taskStarted(job);
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
        } catch (Error e) {
            // the task still ends (its job must not hang); only an error of the JVM itself goes on to the pool thread
            outcome = TaskOutcome.FAILED;
            error = e instanceof StackOverflowError ? "stack overflow" : "unexpected error";
            fatal = e;
            LOG.errorf(e, "task %d of job %s (workload %s) threw an error", index, job.id(), job.workload());
        }
        long cpuEnd = THREADS.getCurrentThreadCpuTime();
        long cpu = cpuStart < 0 || cpuEnd < 0 ? -1 : cpuEnd - cpuStart;
        Map<String, Number> figures = context.figures();
        context.finish(); // the workload's part is over (a GIL pool releases its token before the job's bookkeeping)
        engine.taskEnded(job, index, outcome, System.nanoTime() - start, cpu, error, figures);
        if (fatal instanceof VirtualMachineError) {
            throw fatal;
        }
    }

    @Override
    public void discarded() {
        engine.taskEnded(job, index, TaskOutcome.DISCARDED, -1, -1, null, Map.of());
    }

    /** A client-safe description: the message, never a class name or stack trace. */
    private static String describe(Exception e) {
        String message = e.getMessage();
        String kind = e instanceof IOException ? "I/O error" : "unexpected error";
        return message == null || message.isBlank() ? kind : kind + ": " + message;
    }
}
