package dev.threadlab.job;

import dev.threadlab.pool.TaskHandle;
import dev.threadlab.problem.Problem;
import dev.threadlab.workload.Params;
import dev.threadlab.workload.WorkloadRun;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One accepted job: N tasks submitted together and joined together.
 *
 * <p>Terminal state: when every task has ended the job is SUCCEEDED, or FAILED if any task failed. A cancel or a
 * deadline ends it at once (CANCELLED, TIMED_OUT), like {@code Future.cancel(true)}: queued tasks are dropped,
 * running ones are interrupted and stop at their next check, and {@code progress} shows them ending.
 *
 * <p>Thread-safety: {@code lock} guards every mutable field below it; tasks report on their own threads, readers
 * take consistent snapshots with {@link #view()}. {@code completion} is completed exactly once, outside the lock,
 * by the thread that made the job terminal. {@code state} is also volatile so that filters can read it cheaply.
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
    private final JobObserver observer;
    private final CompletableFuture<Job> completion = new CompletableFuture<>();
    /** Set once the tasks are queued, cleared when they all ended; written under {@code lock}, read without it. */
    private volatile List<TaskHandle> handles = List.of();

    private final ReentrantLock lock = new ReentrantLock();
    private volatile JobState state = JobState.QUEUED;
    private WorkloadRun run;
    private Map<String, Object> finalResult;
    private String cancelReason;
    private Instant startedAt;
    private long firstStartNanos;
    private Instant finishedAt;
    private long lastEndNanos;
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

    Job(String id, long sequence, String workload, String pool, String poolKind, int taskCount, Params params,
        long timeoutMs, double failProbability, WorkloadRun run, JobObserver observer) {
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
        this.observer = observer;
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

    long timeoutMs() {
        return timeoutMs;
    }

    /** Completes with this job when it becomes terminal. Read-only for callers. */
    public CompletionStage<Job> completion() {
        return completion.minimalCompletionStage();
    }

    CompletableFuture<Job> completionFuture() {
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

    /**
     * Gives the job its queued tasks' handles. A job whose tasks all ended already keeps none; a job cancelled in
     * the moment between queueing and this call (it is listed from the moment it is stored) cancels them now.
     */
    void attach(List<TaskHandle> taskHandles) {
        boolean cancelled;
        lock.lock();
        try {
            if (tasksDone == taskCount) {
                return;
            }
            handles = List.copyOf(taskHandles);
            cancelled = state == JobState.CANCELLED || state == JobState.TIMED_OUT;
        } finally {
            lock.unlock();
        }
        if (cancelled) {
            taskHandles.forEach(TaskHandle::cancel);
        }
    }

    boolean cancelRequested() {
        JobState current = state;
        return current == JobState.CANCELLED || current == JobState.TIMED_OUT;
    }

    void taskStarted() {
        long queueNanos = -1;
        lock.lock();
        try {
            if (startedAt == null) {
                firstStartNanos = System.nanoTime();
                startedAt = Instant.now();
                queueNanos = firstStartNanos - submittedNanos;
                if (state == JobState.QUEUED) {
                    state = JobState.RUNNING;
                }
            }
        } finally {
            lock.unlock();
        }
        if (queueNanos >= 0) {
            observer.started(this, queueNanos);
        }
    }

    /**
     * Records the end of one task; the last one makes the job terminal unless a cancel or deadline did already.
     *
     * @param wallNanos task start to end, or -1 if it never ran
     * @param taskCpuNanos thread CPU time of the task, or -1 where the JVM cannot measure it (virtual threads)
     */
    void taskEnded(int index, TaskOutcome outcome, long wallNanos, long taskCpuNanos, String error,
                   Map<String, Number> figures) {
        JobState reached = null;
        long runNanos = -1;
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
            if (tasksDone == taskCount) {
                lastEndNanos = System.nanoTime();
                run.finished();
                finalResult = run.summary();
                run = null; // let per-job state (histograms, counters) go,
                handles = List.of(); // and the tasks that still reference it
                if (!state.terminal()) {
                    reached = tasksFailed > 0 ? JobState.FAILED
                            : tasksCancelled > 0 ? JobState.CANCELLED : JobState.SUCCEEDED;
                    if (reached == JobState.CANCELLED) {
                        cancelReason = "shutdown";
                    }
                    state = reached;
                    finishedAt = Instant.now();
                    runNanos = startedAt == null ? -1 : lastEndNanos - firstStartNanos;
                }
            }
        } finally {
            lock.unlock();
        }
        observer.taskFinished(this, outcome);
        if (reached != null) {
            observer.finished(this, reached, runNanos);
            completion.complete(this);
        }
    }

    /**
     * Ends the job as CANCELLED or TIMED_OUT (reason {@code timeout}) and stops its tasks.
     *
     * @return false if the job was terminal already
     */
    boolean cancel(String reason) {
        JobState reached = "timeout".equals(reason) ? JobState.TIMED_OUT : JobState.CANCELLED;
        long runNanos;
        lock.lock();
        try {
            if (state.terminal()) {
                return false;
            }
            state = reached;
            cancelReason = reason;
            finishedAt = Instant.now();
            runNanos = startedAt == null ? -1 : System.nanoTime() - firstStartNanos;
        } finally {
            lock.unlock();
        }
        for (TaskHandle handle : handles) {
            handle.cancel();
        }
        observer.finished(this, reached, runNanos);
        completion.complete(this);
        return true;
    }

    /**
     * A consistent snapshot for JSON. The workload's summary of a running job is computed outside the job's lock:
     * a workload's own synchronisation must never nest inside it.
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
            if (kindFigures != null) {
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
     * fields, so it is the same whenever it is taken and however fast the tasks end; the job itself, with its
     * effective params, times, progress and result, is at {@code GET /jobs/{id}}. Kept short on purpose: it is the
     * answer a load test gets for every job it submits.
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
            wallMs = millis((tasksDone == taskCount ? lastEndNanos : System.nanoTime()) - firstStartNanos);
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
        error.put("type", Problem.TYPE_BASE + "task-failed");
        error.put("title", "Task failed");
        error.put("detail", firstError);
        error.put("failedTasks", tasksFailed);
        return error;
    }

    private static long millis(long nanos) {
        return Math.round(nanos / 1e6);
    }
}
