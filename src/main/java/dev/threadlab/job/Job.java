package dev.threadlab.job;

import dev.threadlab.input.Params;
import dev.threadlab.pool.TaskHandle;
import dev.threadlab.problem.ProblemTypes;
import dev.threadlab.workload.WorkloadRun;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * <p>Thread-safety: {@code lock} guards every mutable field below it. The two transitions to a terminal state (the
 * last task's end in {@link #taskEnded}, and {@link #stop}) hand out an {@link End} only to the caller that made the
 * job terminal, so exactly one caller runs the end of the job. No workload code and nothing outside this class runs
 * while {@code lock} is held. {@code state} and {@code handles} are also volatile so that filters and cancels can
 * read them without the lock; {@code endCounted} is set by CAS.
 */
public final class Job {

    /** The problem type of a job that ended because its instance was lost. */
    public static final String INSTANCE_LOST = "instance-lost";

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
    private long lastTaskEndNanos;
    private int tasksDone;
    private int tasksFailed;
    private int tasksCancelled;
    private final long[] taskWallNanos;
    private int tasksRan;
    private long cpuNanos;
    private boolean cpuUnmeasured;
    private String firstError;
    /** Why another instance declared this job lost (its owner, this instance, was taken for dead); null if not. */
    private String lostDetail;
    /** Sums of what the pool kind measured per task (e.g. GIL wait and hold), by name; null until there is one. */
    private Map<String, Long> kindFigures;
    private Future<?> deadline;
    @SuppressWarnings("unused") // set through END_COUNTED
    private volatile boolean endCounted;

    private static final VarHandle END_COUNTED;

    static {
        try {
            END_COUNTED = MethodHandles.lookup().findVarHandle(Job.class, "endCounted", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

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
     * What the transition that made a job terminal hands to the end of its life, captured under the job's lock in the
     * same step: the state reached, first task start to the end (-1 if no task started), the deadline to cancel, and
     * whether another instance recorded this end already (a job declared lost), so that it is not announced twice.
     */
    record End(JobState state, long runNanos, Future<?> deadline, boolean recordedElsewhere) {
    }

    /**
     * Gives the job its queued tasks' handles and its deadline, in one step.
     *
     * @return true if the job is terminal already (a cancel or shutdown came between being stored and this, or its
     *         tasks ended at once): the caller cancels the handles (a no-op for ended ones) and the deadline
     */
    boolean attach(List<TaskHandle> taskHandles, Future<?> scheduledDeadline) {
        lock.lock();
        try {
            if (state.terminal()) {
                return true;
            }
            if (tasksDone < taskCount) {
                handles = List.copyOf(taskHandles);
            }
            deadline = scheduledDeadline;
            return false;
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

    /** What the end of one task means for its job. */
    record TaskEnd(WorkloadRun lastOfRun, End end) {
        static final TaskEnd NOT_LAST = new TaskEnd(null, null);
    }

    /**
     * Records the end of one task. The last one decides the job's state by its tasks' outcomes, in the same step,
     * unless a cancel or a deadline ended it already; after that step a cancel finds the job terminal.
     *
     * @param wallNanos    task start to end, or -1 if it never ran
     * @param taskCpuNanos thread CPU time of the task, or -1 where the JVM cannot measure it (virtual threads)
     * @return for the last task, the workload run (the caller finishes it and {@link #settle}s the result outside
     *         the lock) and the job's {@link End} if this made it terminal
     */
    TaskEnd taskEnded(int index, TaskOutcome outcome, long wallNanos, long taskCpuNanos, String error,
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
                return TaskEnd.NOT_LAST;
            }
            lastTaskEndNanos = System.nanoTime();
            handles = List.of(); // the tasks are over: let their handles go
            End end = null;
            if (!state.terminal()) {
                JobState reached = tasksFailed > 0 ? JobState.FAILED
                        : tasksCancelled > 0 ? JobState.CANCELLED : JobState.SUCCEEDED;
                if (reached == JobState.CANCELLED) {
                    cancelReason = "shutdown"; // only a pool shutting down discards tasks of a job nobody cancelled
                }
                end = end(reached, lastTaskEndNanos);
            }
            return new TaskEnd(run, end);
        } finally {
            lock.unlock();
        }
    }

    /** Takes the final result of the workload, computed outside the lock after the last task ended. */
    void settle(Map<String, Object> result) {
        lock.lock();
        try {
            finalResult = result;
            run = null; // let per-job state (histograms, counters) go
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the job as CANCELLED, or TIMED_OUT for reason {@code timeout}, if it has not ended.
     *
     * @return the job's {@link End} if this made it terminal (the caller then stops its tasks), else null
     */
    End stop(String reason) {
        lock.lock();
        try {
            if (state.terminal()) {
                return null;
            }
            cancelReason = reason;
            return end("timeout".equals(reason) ? JobState.TIMED_OUT : JobState.CANCELLED, System.nanoTime());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the job as FAILED with a problem of type {@code instance-lost}, if it has not ended: the shared store shows
     * that another instance took this one for dead and recorded the job's end there.
     *
     * @return the job's {@link End} if this made it terminal (the caller then stops its tasks), else null
     */
    End lose(String detail) {
        lock.lock();
        try {
            if (state.terminal()) {
                return null;
            }
            lostDetail = detail;
            End end = end(JobState.FAILED, System.nanoTime());
            return new End(end.state(), end.runNanos(), end.deadline(), true);
        } finally {
            lock.unlock();
        }
    }

    /** Holds {@code lock}. */
    private End end(JobState reached, long nowNanos) {
        state = reached;
        finishedAt = Instant.now();
        Future<?> pending = deadline;
        deadline = null;
        return new End(reached, startedAt == null ? -1 : nowNanos - firstStartNanos, pending, false);
    }

    /**
     * Marks the job's end as counted; lock-free.
     *
     * @return false if it was counted before: the end of this job ran twice, which the accounts then show
     */
    boolean claimEndCount() {
        return END_COUNTED.compareAndSet(this, false, true);
    }

    /** All tasks have ended but the job is not terminal: a lost end (the last task decides the state in its own step). */
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
        if (lostDetail != null) {
            return lostError(lostDetail, IdGenerator.instanceOf(id).orElse(null));
        }
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("type", ProblemTypes.uri("task-failed"));
        error.put("title", "Task failed");
        error.put("detail", firstError);
        error.put("failedTasks", tasksFailed);
        return error;
    }

    /**
     * The error of a job whose instance was lost: type {@code instance-lost}, the same whichever instance records it.
     *
     * @param instance the instance that owned the job
     */
    public static Map<String, Object> lostError(String detail, String instance) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("type", ProblemTypes.uri(INSTANCE_LOST));
        error.put("title", "Instance lost");
        error.put("detail", detail);
        error.put("instance", instance);
        return error;
    }

    private static long millis(long nanos) {
        return Math.round(nanos / 1e6);
    }
}
