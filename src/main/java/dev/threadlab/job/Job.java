package dev.threadlab.job;

import dev.threadlab.input.Params;
import dev.threadlab.pool.TaskHandle;
import dev.threadlab.problem.ProblemTypes;
import dev.threadlab.workload.WorkloadRun;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One accepted job: N tasks submitted together and joined together. This class holds the job's state and its
 * transitions; {@link JobEngine} drives them in the order of a job's life and does everything that reaches outside
 * the job (accounts, metrics, retention, waiters).
 *
 * <p>Terminal state: when every task has ended the job is SUCCEEDED, or FAILED if any task failed. A cancel or a
 * deadline ends it at once (CANCELLED, TIMED_OUT), like {@code Future.cancel(true)}: queued tasks are dropped,
 * running ones are interrupted and stop at their next check, and {@code progress} shows them ending.
 *
 * <p>Thread-safety: {@code lock} guards every mutable field below it. Each transition ({@link #stop},
 * {@link #settle}) reports whether it made the job terminal, so exactly one caller runs the end of the job. No
 * workload code and nothing outside this class runs while {@code lock} is held. {@code state} and
 * {@code handles} are also volatile so that filters and cancels can read them without the lock.
 */
public final class Job {

    private final String id;
    private final long sequence;
    private final String workload;
    private final String pool;
    private final String poolKind;
    private final int taskCount;
    private final Params params;
    private final long timeoutMs;
    private final double failProbability;
    private final Instant submittedAt;
    private final long submittedNanos;
    private final Completion completion = new Completion();

    private final ReentrantLock lock = new ReentrantLock();
    private volatile JobState state = JobState.QUEUED;
    /** Set once the tasks are queued, cleared when they have all ended. */
    private volatile List<TaskHandle> handles = List.of();
    private WorkloadRun run;
    private Map<String, Object> finalResult;
    private String cancelReason;
    private Instant startedAt;
    private long firstStartNanos;
    private Instant finishedAt;
    private long endNanos;
    private long lastTaskEndNanos;
    private int tasksDone;
    private int tasksFailed;
    private int tasksCancelled;
    private final long[] taskWallNanos;
    private int tasksRan;
    private long cpuNanos;
    private boolean cpuUnmeasured;
    private String firstError;
    /** Sums of what the pool kind measured per task (e.g. GIL wait and hold), by name; null until there is one. */
    private Map<String, Long> kindFigures;
    private Future<?> deadline;
    private boolean endCounted;

    Job(String id, long sequence, String workload, String pool, String poolKind, int taskCount, Params params,
        long timeoutMs, double failProbability, WorkloadRun run) {
        this.id = id;
        this.sequence = sequence;
        this.workload = workload;
        this.pool = pool;
        this.poolKind = poolKind;
        this.taskCount = taskCount;
        this.params = params;
        this.timeoutMs = timeoutMs;
        this.failProbability = failProbability;
        this.run = run;
        this.submittedAt = Instant.now();
        this.submittedNanos = System.nanoTime();
        this.taskWallNanos = new long[taskCount];
    }

    public String id() {
        return id;
    }

    long sequence() {
        return sequence;
    }

    public String workload() {
        return workload;
    }

    public String pool() {
        return pool;
    }

    public int taskCount() {
        return taskCount;
    }

    public JobState state() {
        return state;
    }

    double failProbability() {
        return failProbability;
    }

    /** Ends when the job becomes terminal, after its end has been counted and retained. */
    public Awaitable completion() {
        return completion;
    }

    /** Waits attached to this job now (joins, waits, streams): the ones still waiting, never the ones that ended. */
    public int attachedWaits() {
        return completion.attached();
    }

    Completion completionSignal() {
        return completion;
    }

    Instant finishedAt() {
        lock.lock();
        try {
            return finishedAt;
        } finally {
            lock.unlock();
        }
    }

    boolean cancelRequested() {
        JobState current = state;
        return current == JobState.CANCELLED || current == JobState.TIMED_OUT;
    }

    List<TaskHandle> handles() {
        return handles;
    }

    /**
     * Gives the job its queued tasks' handles, unless its tasks all ended already.
     *
     * @return true if the job was stopped before this (it is listed from the moment it is stored): the caller
     *         cancels the handles
     */
    boolean attach(List<TaskHandle> taskHandles) {
        lock.lock();
        try {
            if (tasksDone == taskCount) {
                return false;
            }
            handles = List.copyOf(taskHandles);
            return state.terminal();
        } finally {
            lock.unlock();
        }
    }

    /** @return false if the job has ended already: the caller cancels the deadline itself */
    boolean setDeadline(Future<?> scheduled) {
        lock.lock();
        try {
            if (state.terminal()) {
                return false;
            }
            deadline = scheduled;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The pending deadline, handed over once (the end of the job cancels it). */
    Future<?> takeDeadline() {
        lock.lock();
        try {
            Future<?> taken = deadline;
            deadline = null;
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records the first start of a task.
     *
     * @return nanoseconds the job waited in the queue, if this was its first task to start; else -1
     */
    long started() {
        lock.lock();
        try {
            if (startedAt != null) {
                return -1;
            }
            firstStartNanos = System.nanoTime();
            startedAt = Instant.now();
            if (state == JobState.QUEUED) {
                state = JobState.RUNNING;
            }
            return firstStartNanos - submittedNanos;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records the end of one task.
     *
     * @param wallNanos    task start to end, or -1 if it never ran
     * @param taskCpuNanos thread CPU time of the task, or -1 where the JVM cannot measure it (virtual threads)
     * @return the job's workload run if this was its last task (the caller finishes it and {@link #settle}s the
     *         job outside the lock), else null
     */
    WorkloadRun taskEnded(int index, TaskOutcome outcome, long wallNanos, long taskCpuNanos, String error,
                          Map<String, Number> figures) {
        lock.lock();
        try {
            tasksDone++;
            switch (outcome) {
                case FAILED -> {
                    tasksFailed++;
                    if (firstError == null) {
                        firstError = "task " + index + " of " + taskCount + ": " + error;
                    }
                }
                case CANCELLED, DISCARDED -> tasksCancelled++;
                default -> {
                }
            }
            if (!figures.isEmpty()) {
                if (kindFigures == null) {
                    kindFigures = new LinkedHashMap<>();
                }
                figures.forEach((name, value) -> kindFigures.merge(name, value.longValue(), Long::sum));
            }
            if (wallNanos >= 0) {
                taskWallNanos[tasksRan++] = wallNanos;
                if (taskCpuNanos >= 0) {
                    cpuNanos += taskCpuNanos;
                } else {
                    cpuUnmeasured = true;
                }
            }
            if (tasksDone < taskCount) {
                return null;
            }
            lastTaskEndNanos = System.nanoTime();
            handles = List.of(); // the tasks are over: let their handles go
            return run;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the final result of the workload, computed after the last task ended, and makes the job terminal by
     * its tasks' outcomes unless a cancel or a deadline did already.
     *
     * @return true if this made the job terminal
     */
    boolean settle(Map<String, Object> result) {
        lock.lock();
        try {
            finalResult = result;
            run = null; // let per-job state (histograms, counters) go
            if (state.terminal()) {
                return false;
            }
            JobState reached = tasksFailed > 0 ? JobState.FAILED
                    : tasksCancelled > 0 ? JobState.CANCELLED : JobState.SUCCEEDED;
            if (reached == JobState.CANCELLED) {
                cancelReason = "shutdown"; // only a pool shutting down discards tasks of a job nobody cancelled
            }
            end(reached, lastTaskEndNanos);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the job as CANCELLED, or TIMED_OUT for reason {@code timeout}, before its tasks have ended.
     *
     * @return true if this made the job terminal (the caller then stops its tasks); false if it had ended
     */
    boolean stop(String reason) {
        lock.lock();
        try {
            if (state.terminal()) {
                return false;
            }
            cancelReason = reason;
            end("timeout".equals(reason) ? JobState.TIMED_OUT : JobState.CANCELLED, System.nanoTime());
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Holds {@code lock}. */
    private void end(JobState reached, long nowNanos) {
        state = reached;
        finishedAt = Instant.now();
        endNanos = nowNanos;
    }

    /** First task start to the job's end, or -1 if no task started; meaningful once the job is terminal. */
    long runNanos() {
        lock.lock();
        try {
            return startedAt == null ? -1 : endNanos - firstStartNanos;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Marks the job's end as counted.
     *
     * @return false if it was counted before: the end of this job ran twice, which the accounts then show
     */
    boolean claimEndCount() {
        lock.lock();
        try {
            boolean first = !endCounted;
            endCounted = true;
            return first;
        } finally {
            lock.unlock();
        }
    }

    /** All tasks have ended but the job is not terminal: only ever true for the moment its last task settles it. */
    boolean tasksOverButNotEnded() {
        lock.lock();
        try {
            return tasksDone == taskCount && !state.terminal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A consistent snapshot for JSON. The workload's summary of a running job is computed outside the job's lock:
     * workload code never runs while it is held.
     */
    public JobView view() {
        WorkloadRun running;
        lock.lock();
        try {
            running = finalResult == null ? run : null;
        } finally {
            lock.unlock();
        }
        Map<String, Object> liveResult = running == null ? null : running.summary();
        lock.lock();
        try {
            JobState current = state;
            Map<String, Object> result = finalResult != null ? finalResult : liveResult;
            if (kindFigures != null && result != null) {
                result = new LinkedHashMap<>(result);
                result.put(poolKind, kindFiguresView());
            }
            return new JobView(id, workload, pool, taskCount, params.asMap(), timeoutMs, current, current.terminal(),
                    cancelReason, submittedAt, startedAt, finishedAt,
                    new JobView.Progress(tasksDone, taskCount, tasksFailed, tasksCancelled),
                    timings(), result, error(current));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The answer to an async submit: the id, what runs and where, and QUEUED, as the job was accepted. Only final
     * fields, so it is the same whenever it is taken and however fast the tasks end; the whole job is at
     * {@code GET /jobs/{id}}.
     */
    public JobView acceptedView() {
        return new JobView(id, workload, pool, taskCount, null, null, JobState.QUEUED, null, null,
                null, null, null, null, null, null, null);
    }

    /** Sums in milliseconds where measured in nanoseconds ({@code waitNanos} → {@code waitMs}), counts as they are. */
    private Map<String, Object> kindFiguresView() {
        Map<String, Object> view = new LinkedHashMap<>();
        kindFigures.forEach((name, value) -> {
            if (name.endsWith("Nanos")) {
                view.put(name.substring(0, name.length() - 5) + "Ms", Math.round(value / 1e3) / 1e3);
            } else {
                view.put(name, value);
            }
        });
        return view;
    }

    private JobView.Timings timings() {
        Long queueMs = startedAt == null ? null : millis(firstStartNanos - submittedNanos);
        Long wallMs = null;
        if (startedAt != null) {
            wallMs = millis((tasksDone == taskCount ? lastTaskEndNanos : System.nanoTime()) - firstStartNanos);
        }
        JobView.TaskWall taskWall = null;
        if (tasksRan > 0) {
            long[] sorted = Arrays.copyOf(taskWallNanos, tasksRan);
            Arrays.sort(sorted);
            taskWall = new JobView.TaskWall(millis(sorted[0]), millis(sorted[(sorted.length - 1) / 2]),
                    millis(sorted[sorted.length - 1]));
        }
        Long cpuMs = tasksRan == 0 || cpuUnmeasured ? null : millis(cpuNanos);
        return new JobView.Timings(queueMs, wallMs, taskWall, cpuMs);
    }

    private Map<String, Object> error(JobState current) {
        if (current != JobState.FAILED) {
            return null;
        }
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("type", ProblemTypes.uri("task-failed"));
        error.put("title", "Task failed");
        error.put("detail", firstError);
        error.put("failedTasks", tasksFailed);
        return error;
    }

    private static long millis(long nanos) {
        return Math.round(nanos / 1e6);
    }
}
