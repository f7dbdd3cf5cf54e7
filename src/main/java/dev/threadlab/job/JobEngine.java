package dev.threadlab.job;

import dev.threadlab.input.InvalidInputException;
import dev.threadlab.input.ParamSpec;
import dev.threadlab.input.Params;
import dev.threadlab.job.Job.End;
import dev.threadlab.pool.Pool;
import dev.threadlab.pool.PoolRegistry;
import dev.threadlab.pool.PoolSaturatedException;
import dev.threadlab.pool.PoolShutDownException;
import dev.threadlab.pool.TaskHandle;
import dev.threadlab.workload.Workload;
import dev.threadlab.workload.WorkloadCatalog;
import dev.threadlab.workload.WorkloadRun;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Accepts jobs, fans them out on their pool, and drives each job's life in one sequence, read top to bottom here:
 * <ol>
 *   <li><b>accept</b> ({@link #submit}): validate; reserve room in the pool for every task (or refuse the job
 *       whole); count it; announce it; store it; queue its tasks; set its deadline;</li>
 *   <li><b>start</b> ({@link #taskStarted}): the first task to start records the job's queue time;</li>
 *   <li><b>end of a task</b> ({@link #taskEnded}): the job records it; the last task finishes the workload and
 *       settles the job by its tasks' outcomes;</li>
 *   <li><b>stop</b> ({@link #cancel}): a cancel, the deadline or shutdown ends the job at once and stops its tasks;</li>
 *   <li><b>end of the job</b> ({@link #ended}), run once by whichever of the two made the job terminal: cancel the
 *       deadline, count the end, announce it (unless another instance recorded it), retain the job (evicting the
 *       oldest beyond the bound), then release every wait attached to the job;</li>
 *   <li><b>evict</b>: finished jobs leave after the retention time, on the housekeeping schedule.</li>
 * </ol>
 * Plain Java: the HTTP layer only translates to and from it.
 *
 * <p>Thread-safety: all methods may be called from any thread. State lives in the thread-safe {@link JobStore}, the
 * {@link JobAccounts}, the pools and the jobs; each job's transitions are decided under its own lock and everything
 * else of its life runs after that lock is released. The one scheduler thread fires deadlines and evicts old jobs.
 */
public final class JobEngine implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JobEngine.class);
    private static final long HOUSEKEEPING_SECONDS = 5;
    public static final String REASON_QUEUE_FULL = "queue_full";
    public static final String REASON_SHUTTING_DOWN = "shutting_down";

    private final WorkloadCatalog workloads;
    private final PoolRegistry pools;
    private final EngineSettings settings;
    private final IdGenerator ids;
    private final JobEvents events;
    private final JobStore store;
    private final JobAccounts accounts = new JobAccounts();
    private final AtomicLong sequence = new AtomicLong();
    private final ScheduledThreadPoolExecutor scheduler;
    private final ParamSpec tasksSpec;
    private final ParamSpec timeoutSpec;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();

    public JobEngine(WorkloadCatalog workloads, PoolRegistry pools, EngineSettings settings, IdGenerator ids,
                     JobEvents events) {
        this.workloads = workloads;
        this.pools = pools;
        this.settings = settings;
        this.ids = ids;
        this.events = events;
        this.store = new JobStore(settings.retention(), settings.maxRetained());
        this.tasksSpec = ParamSpec.integer("tasks", 1, 1, settings.maxTasks(), "tasks",
                "tasks (threads) the job fans out into");
        this.timeoutSpec = ParamSpec.integer("timeoutMs", settings.defaultTimeoutMs(), 1, settings.maxTimeoutMs(),
                "ms", "deadline counted from submission");
        this.scheduler = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("threadlab-scheduler").daemon(true).factory());
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.scheduler.scheduleWithFixedDelay(() -> store.evict(Instant.now()),
                HOUSEKEEPING_SECONDS, HOUSEKEEPING_SECONDS, TimeUnit.SECONDS);
    }

    // ---- 1. accept ------------------------------------------------------------------------------------------

    /**
     * Validates and accepts a job whole, or refuses it whole.
     *
     * @throws InvalidInputException naming the field
     * @throws PoolSaturatedException when its pool cannot hold all its tasks
     * @throws ShuttingDownException after shutdown began
     */
    public Job submit(JobRequest request) {
        Workload workload = workloads.get(request.workload());
        Pool pool = pool(request.pool() == null ? workload.defaultPool() : request.pool());
        if (shuttingDown.get()) {
            throw refused(pool, workload, REASON_SHUTTING_DOWN, new ShuttingDownException());
        }
        int taskCount = Math.toIntExact((Long) tasksSpec.accept(request.tasks(), "tasks"));
        long timeoutMs = (Long) timeoutSpec.accept(request.timeoutMs(), "timeoutMs");
        Params params = Params.validate(WorkloadCatalog.allParams(workload), request.params());

        Pool.Reservation room;
        try {
            room = pool.reserve(taskCount);
        } catch (PoolSaturatedException full) {
            throw refused(pool, workload, REASON_QUEUE_FULL, full);
        } catch (PoolShutDownException closing) {
            throw refused(pool, workload, REASON_SHUTTING_DOWN, new ShuttingDownException());
        }
        Job job;
        List<JobTask> tasks = new ArrayList<>(taskCount);
        try {
            WorkloadRun run = workload.start(params, taskCount, events.contention(pool.name()));
            job = new Job(ids.next(), sequence.incrementAndGet(), workload.name(), pool.name(), pool.kind().id(),
                    taskCount, params, timeoutMs, params.getDouble(WorkloadCatalog.FAIL_PROBABILITY.name()), run);
            for (int i = 0; i < taskCount; i++) {
                tasks.add(new JobTask(this, job, run, i));
            }
        } catch (RuntimeException e) {
            room.cancel();
            throw e;
        }
        // counted and announced before any task can start or end, stored before one can be looked up
        accounts.accepted(pool.name());
        try {
            events.accepted(job);
            store.add(job);
            Future<?> deadline = scheduleDeadline(job, timeoutMs);
            List<TaskHandle> handles = room.queue(tasks);
            if (job.attach(handles, deadline)) { // stopped (shutdown) or over before its handles were attached
                handles.forEach(JobEngine::cancelQuietly);
                if (deadline != null) {
                    deadline.cancel(false);
                }
            }
        } catch (RuntimeException | Error e) {
            room.cancel(); // a no-op once the tasks are queued
            End end = job.stop("shutdown");
            if (end != null) {
                ended(job, end);
            }
            throw e;
        }
        return job;
    }

    /** The job's deadline on the scheduler; null when the engine has closed (then the job ends with it). */
    private Future<?> scheduleDeadline(Job job, long timeoutMs) {
        try {
            return scheduler.schedule(() -> cancel(job, "timeout"), timeoutMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            End end = job.stop("shutdown"); // the engine closed while this job was being accepted
            if (end != null) {
                ended(job, end);
            }
            return null;
        }
    }

    private Pool pool(String name) {
        return pools.find(name).orElseThrow(() -> new InvalidInputException("pool", name, "one of " + pools.names()));
    }

    private <E extends RuntimeException> E refused(Pool pool, Workload workload, String reason, E refusal) {
        accounts.rejected(pool.name());
        events.rejected(pool.name(), workload.name(), reason);
        return refusal;
    }

    // ---- 2. start -------------------------------------------------------------------------------------------

    /** A task of the job starts running, on its pool thread. */
    void taskStarted(Job job) {
        long queueNanos = job.started();
        if (queueNanos >= 0) {
            events.started(job, queueNanos);
        }
    }

    // ---- 3. end of a task -----------------------------------------------------------------------------------

    /**
     * A task of the job ended (or was discarded unrun), on the thread that ran or discarded it. The last one
     * finishes the workload's run and settles the job, outside the job's lock.
     */
    void taskEnded(Job job, int index, TaskOutcome outcome, long wallNanos, long cpuNanos, String error,
                   Map<String, Number> figures) {
        Job.TaskEnd taskEnd = job.taskEnded(index, outcome, wallNanos, cpuNanos, error, figures);
        events.taskEnded(job, outcome);
        if (taskEnd.lastOfRun() != null) {
            job.settle(finalResult(job, taskEnd.lastOfRun()));
        }
        if (taskEnd.end() != null) {
            ended(job, taskEnd.end());
        }
    }

    private static Map<String, Object> finalResult(Job job, WorkloadRun run) {
        try {
            run.finished();
            return run.summary();
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            LOG.errorf(e, "the %s workload failed to summarise job %s", job.workload(), job.id());
            return Map.of("summary", "unavailable: the workload failed to summarise its tasks");
        }
    }

    // ---- 4. stop --------------------------------------------------------------------------------------------

    /**
     * Cancels a job: queued tasks are dropped, running ones stop at their next check.
     *
     * @throws JobNotFoundException for an unknown or evicted id
     * @throws JobEndedException when it has ended already
     */
    public Job cancel(String id) {
        Job job = get(id);
        if (!cancel(job)) {
            throw new JobEndedException(id, job.state());
        }
        return job;
    }

    /** Cancels a job the caller holds (whether or not it is still retained); false if it had ended already. */
    public boolean cancel(Job job) {
        return cancel(job, "client");
    }

    /** Ends the job at once with {@code reason} ({@code client}, {@code timeout}, {@code shutdown}); false if it had ended. */
    private boolean cancel(Job job, String reason) {
        return stopped(job, job.stop(reason));
    }

    /**
     * Ends a job the shared store shows as lost: another instance took this one for dead (it was paused or cut off)
     * and recorded the job FAILED with a problem of type {@code instance-lost}. The job ends the same way here, its
     * tasks stopped like a cancel's; its end is counted here but not announced again, since it was recorded there.
     *
     * @return false if it had ended already
     */
    public boolean declareLost(Job job, String detail) {
        return stopped(job, job.lose(detail));
    }

    /** Stops the tasks of a job that {@code end} made terminal, then ends it; false when {@code end} is null. */
    private boolean stopped(Job job, End end) {
        if (end == null) {
            return false;
        }
        try {
            for (TaskHandle handle : job.handles()) {
                cancelQuietly(handle); // a queued task is discarded here, and its end recorded on this thread
            }
        } finally {
            ended(job, end);
        }
        return true;
    }

    private static void cancelQuietly(TaskHandle handle) {
        try {
            handle.cancel();
        } catch (RuntimeException e) {
            LOG.error("stopping a task failed; the job ends all the same", e); // the other tasks still stop
        }
    }

    // ---- 5. end of the job ----------------------------------------------------------------------------------

    /**
     * The end of a job, run once, by the caller whose transition made it terminal; the order matters: a wait released
     * last never sees a job that is not counted and retained yet, and it is released whatever fails before it.
     */
    private void ended(Job job, End end) {
        try {
            if (end.deadline() != null) {
                end.deadline().cancel(false);
            }
            accounts.ended(job.pool(), job.claimEndCount());
            if (!end.recordedElsewhere()) {
                events.ended(job, end.state(), end.runNanos());
            }
            store.retain(job);
        } finally {
            job.completionSignal().complete();
        }
    }

    // ---- reading --------------------------------------------------------------------------------------------

    /** @throws JobNotFoundException for an unknown or evicted id, saying so when the id belongs to another instance */
    public Job get(String id) {
        Job job = store.get(id).orElse(null);
        if (job == null) {
            throw notFound(id);
        }
        return job;
    }

    /** The job if this instance holds it. */
    public Optional<Job> find(String id) {
        return store.get(id);
    }

    /** Why {@link #get} finds no job with this id here. */
    public JobNotFoundException notFound(String id) {
        String owner = IdGenerator.instanceOf(id).orElse(null);
        if (owner != null && !owner.equals(ids.instance())) {
            return new JobNotFoundException(id, ids.instance(), owner, "job '" + id + "' belongs to instance '"
                    + owner + "', not to this one ('" + ids.instance() + "'); send the request to the instance that accepted the job");
        }
        return new JobNotFoundException(id, ids.instance(), null, "no job '" + id + "' here: it never existed or was evicted after "
                + settings.retention().toMinutes() + " min (at most " + settings.maxRetained() + " finished jobs are kept)");
    }

    /** Newest first, filtered, at most {@code limit}. */
    public List<Job> list(Predicate<Job> filter, int limit) {
        return store.list(filter, limit);
    }

    /** Done when all (or any) of the jobs have ended. */
    public static Awaitable whenDone(List<Job> jobs, boolean all) {
        List<Awaitable> ends = jobs.stream().map(Job::completion).toList();
        return all ? Awaitable.all(ends) : Awaitable.any(ends);
    }

    public String instance() {
        return ids.instance();
    }

    /** Accepted, finished, in-flight and rejected jobs per pool and in total. */
    public JobAccounts accounts() {
        return accounts;
    }

    public int retainedFinished() {
        return store.finishedRetained();
    }

    public int known() {
        return store.size();
    }

    /** Unfinished jobs the store holds, counted by a scan: after a drain, equal to the in-flight count (zero). */
    public int unfinishedHeld() {
        return store.count(job -> !job.state().terminal());
    }

    /** Jobs whose tasks have all ended but which are not terminal: a lost end (always 0 but for an instant). */
    public int stalled() {
        return store.count(Job::tasksOverButNotEnded);
    }

    public WorkloadCatalog workloads() {
        return workloads;
    }

    public PoolRegistry pools() {
        return pools;
    }

    public EngineSettings settings() {
        return settings;
    }

    // ---- shutdown -------------------------------------------------------------------------------------------

    /** From now on submissions are refused ({@link ShuttingDownException}); reads, joins and cancels go on. */
    public void beginShutdown() {
        shuttingDown.set(true);
    }

    public boolean shuttingDown() {
        return shuttingDown.get();
    }

    /** Jobs not yet terminal, newest first. */
    public List<Job> unfinished() {
        return store.list(job -> !job.state().terminal(), Integer.MAX_VALUE);
    }

    /**
     * Cancels every unfinished job with reason {@code shutdown}.
     *
     * @return how many were cancelled
     */
    public int cancelUnfinished() {
        int cancelled = 0;
        for (Job job : unfinished()) {
            if (cancel(job, "shutdown")) {
                cancelled++;
            }
        }
        return cancelled;
    }

    /** Refuses new jobs, cancels unfinished ones and stops the scheduler. Pools are closed by their owner. */
    @Override
    public void close() {
        beginShutdown();
        cancelUnfinished();
        scheduler.shutdownNow();
    }
}
