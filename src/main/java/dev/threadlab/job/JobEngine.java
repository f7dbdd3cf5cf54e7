package dev.threadlab.job;

import dev.threadlab.pool.Pool;
import dev.threadlab.pool.PoolRegistry;
import dev.threadlab.pool.TaskHandle;
import dev.threadlab.problem.Problem;
import dev.threadlab.workload.ParamSpec;
import dev.threadlab.workload.Params;
import dev.threadlab.workload.Workload;
import dev.threadlab.workload.WorkloadCatalog;
import dev.threadlab.workload.WorkloadRun;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Accepts jobs, fans them out on their pool, enforces their deadlines and keeps them for reading and joining.
 * Plain Java: the HTTP layer only translates to and from it.
 *
 * <p>Thread-safety: all methods may be called from any thread. State lives in the thread-safe {@link JobStore},
 * the pools and the jobs themselves; the one scheduler thread only fires deadlines and evicts old jobs.
 */
public final class JobEngine implements AutoCloseable {

    private static final long HOUSEKEEPING_SECONDS = 5;
    public static final String REASON_QUEUE_FULL = "queue_full";
    public static final String REASON_SHUTTING_DOWN = "shutting_down";
    private static final long SHUTDOWN_RETRY_AFTER_SECONDS = 5;

    private final WorkloadCatalog workloads;
    private final PoolRegistry pools;
    private final EngineSettings settings;
    private final IdGenerator ids;
    private final JobObserver observer;
    private final JobStore store;
    private final AtomicLong sequence = new AtomicLong();
    private final ScheduledThreadPoolExecutor scheduler;
    private final ParamSpec tasksSpec;
    private final ParamSpec timeoutSpec;
    private final JobObserver retainingObserver;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final JobAccounts accounts = new JobAccounts();

    public JobEngine(WorkloadCatalog workloads, PoolRegistry pools, EngineSettings settings, IdGenerator ids,
                     JobObserver observer) {
        this.workloads = workloads;
        this.pools = pools;
        this.settings = settings;
        this.ids = ids;
        this.observer = observer;
        this.store = new JobStore(settings.retention(), settings.maxRetained());
        this.retainingObserver = new BookkeepingObserver(store, accounts, observer);
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

    /**
     * Validates and accepts a job whole, or rejects it whole.
     *
     * @throws Problem 400 for invalid input, 503 {@code pool-saturated} when its pool cannot take all tasks
     */
    public Job submit(JobRequest request) {
        Workload workload = workloads.get(request.workload());
        String poolName = request.pool() == null ? workload.defaultPool() : request.pool();
        Pool pool = pools.get(poolName);
        if (shuttingDown.get()) {
            accounts.rejected(pool.name());
            observer.rejected(pool.name(), workload.name(), REASON_SHUTTING_DOWN);
            throw Problem.of(503, "shutting-down", "Shutting down",
                    "this instance is shutting down and accepts no new jobs; submit to another instance")
                    .retryAfter(SHUTDOWN_RETRY_AFTER_SECONDS);
        }
        int taskCount = Math.toIntExact((Long) tasksSpec.accept(request.tasks(), "tasks"));
        long timeoutMs = (Long) timeoutSpec.accept(request.timeoutMs(), "timeoutMs");
        Params params = Params.validate(WorkloadCatalog.allParams(workload), request.params());

        WorkloadRun run = workload.start(params, taskCount, observer.contention(pool.name()));
        Job job = new Job(ids.next(), sequence.incrementAndGet(), workload.name(), pool.name(), pool.kind().id(), taskCount, params,
                timeoutMs, params.getDouble(WorkloadCatalog.FAIL_PROBABILITY.name()), run, retainingObserver);
        List<JobTask> tasks = new ArrayList<>(taskCount);
        for (int i = 0; i < taskCount; i++) {
            tasks.add(new JobTask(job, run, i));
        }
        // Stored before its tasks are queued, so a task that ends at once always finds its job in the store.
        store.add(job);
        accounts.accepted(pool.name());
        List<TaskHandle> handles;
        try {
            handles = pool.submitAll(tasks);
        } catch (Problem rejected) {
            store.remove(job);
            accounts.withdrawn(pool.name());
            observer.rejected(pool.name(), workload.name(), rejectionReason(rejected));
            throw rejected;
        }
        job.attach(handles);
        observer.submitted(job);
        ScheduledFuture<?> deadline = scheduler.schedule(() -> job.cancel("timeout"), timeoutMs, TimeUnit.MILLISECONDS);
        job.completionFuture().whenComplete((finished, failure) -> deadline.cancel(false));
        return job;
    }

    /** The bounded {@code reason} label of a rejection. */
    static String rejectionReason(Problem rejected) {
        return switch (rejected.slug()) {
            case "pool-saturated" -> REASON_QUEUE_FULL;
            case "shutting-down" -> REASON_SHUTTING_DOWN;
            default -> rejected.slug().replace('-', '_').toLowerCase(Locale.ROOT);
        };
    }

    /** @throws Problem 404 for an unknown or evicted id, saying so when the id belongs to another instance */
    public Job get(String id) {
        return store.get(id).orElseThrow(() -> notFound(id));
    }

    private Problem notFound(String id) {
        String owner = IdGenerator.instanceOf(id).orElse(null);
        if (owner != null && !owner.equals(ids.instance())) {
            return Problem.notFound("job", "job '" + id + "' belongs to instance '" + owner + "', not to this one ('"
                    + ids.instance() + "'); send the request to the instance that accepted the job")
                    .with("instance", ids.instance()).with("ownerInstance", owner);
        }
        return Problem.notFound("job", "no job '" + id + "' here: it never existed or was evicted after "
                + settings.retention().toMinutes() + " min (at most " + settings.maxRetained() + " finished jobs are kept)");
    }

    /**
     * Cancels a job: queued tasks are dropped, running ones stop at their next check.
     *
     * @throws Problem 404 unknown, 409 {@code job-terminal} when it has ended already
     */
    public Job cancel(String id) {
        Job job = get(id);
        if (!job.cancel("client")) {
            throw Problem.of(409, "job-terminal", "Job already ended",
                    "job '" + id + "' is " + job.state() + " already and cannot be cancelled").with("state", job.state());
        }
        return job;
    }

    /** Newest first, filtered, at most {@code limit}. */
    public List<Job> list(Predicate<Job> filter, int limit) {
        return store.list(filter, limit);
    }

    /** Completes when all (or any) of the jobs are terminal. */
    public static CompletableFuture<Void> whenDone(List<Job> jobs, boolean all) {
        CompletableFuture<?>[] futures = jobs.stream().map(Job::completionFuture).toArray(CompletableFuture[]::new);
        return all ? CompletableFuture.allOf(futures) : CompletableFuture.anyOf(futures).thenApply(done -> null);
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

    public WorkloadCatalog workloads() {
        return workloads;
    }

    public PoolRegistry pools() {
        return pools;
    }

    public EngineSettings settings() {
        return settings;
    }

    /**
     * Books a job's end (retention, accounts) before anyone waiting on the job hears of it (a job completes its
     * waiters only after its observer returns), so a joiner never sees a finished job that is not counted yet.
     */
    private record BookkeepingObserver(JobStore store, JobAccounts accounts, JobObserver next) implements JobObserver {
        @Override
        public void submitted(Job job) {
            next.submitted(job);
        }

        @Override
        public void rejected(String pool, String workload, String reason) {
            next.rejected(pool, workload, reason);
        }

        @Override
        public void started(Job job, long queueNanos) {
            next.started(job, queueNanos);
        }

        @Override
        public void finished(Job job, JobState state, long runNanos) {
            store.finished(job);
            accounts.finished(job.pool());
            next.finished(job, state, runNanos);
        }

        @Override
        public void taskFinished(Job job, TaskOutcome outcome) {
            next.taskFinished(job, outcome);
        }
    }

    /** From now on submissions are refused with 503 {@code shutting-down}; reads, joins and cancels go on. */
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
            if (job.cancel("shutdown")) {
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
