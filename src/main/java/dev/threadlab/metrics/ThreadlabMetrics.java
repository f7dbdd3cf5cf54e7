package dev.threadlab.metrics;

import dev.threadlab.cluster.Cluster;
import dev.threadlab.cluster.StoreHealth;
import dev.threadlab.gil.GilExecutionModel;
import dev.threadlab.gil.GilInterpreter;
import dev.threadlab.gil.GilListener;
import dev.threadlab.gil.GilListenerFactory;
import dev.threadlab.gil.GilToken;
import dev.threadlab.job.Job;
import dev.threadlab.job.JobAccounts;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.JobEvents;
import dev.threadlab.job.JobState;
import dev.threadlab.job.TaskOutcome;
import dev.threadlab.job.Waiters;
import dev.threadlab.live.StreamSlots;
import dev.threadlab.pool.Pool;
import dev.threadlab.pool.PoolRegistry;
import dev.threadlab.workload.ContentionSink;
import dev.threadlab.workload.Workload;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * threadlab's metrics in Micrometer, exported at {@code /q/metrics} in Prometheus format. Label values are
 * bounded (pool, workload, state, reason; never a job id); durations are histograms with fixed buckets so that
 * {@code histogram_quantile} works across replicas.
 *
 * <p>The job counters of every pool, workload and state exist at zero from start-up, so that a healthy service shows
 * 0 failures rather than no data. In-flight jobs are read from the engine's accounts, the one place they are
 * counted.
 *
 * <p>Thread-safety: meters are created once per label set and cached in concurrent maps, so recording an event
 * costs no registry lookup; Micrometer meters are thread-safe. Every gauge holds a strong reference to its source
 * (the pools, accounts and waiters live for the whole run anyway).
 */
@Singleton
public class ThreadlabMetrics implements JobEvents, GilListenerFactory {

    /** Job queue and run times: 100 µs to 60 s. */
    static final Duration[] JOB_BUCKETS = millis(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500,
            1000, 2500, 5000, 10_000, 30_000, 60_000);
    /** GIL waits, slices and probe lag: fine around the 1–10 ms switch intervals. */
    static final Duration[] GIL_BUCKETS = millis(0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 7.5, 10, 15, 20,
            30, 50, 100, 250, 500, 1000, 5000, 60_000);

    private record PoolWorkload(String pool, String workload) {
    }

    private record PoolWorkloadState(String pool, String workload, String state) {
    }

    private record PoolReason(String pool, String reason) {
    }

    private final MeterRegistry registry;
    private final Map<PoolWorkload, Counter> submitted = new ConcurrentHashMap<>();
    private final Map<PoolWorkloadState, Counter> finished = new ConcurrentHashMap<>();
    private final Map<PoolWorkloadState, Counter> tasksFinished = new ConcurrentHashMap<>();
    private final Map<PoolReason, Counter> rejected = new ConcurrentHashMap<>();
    private final Map<String, Timer> queueTimes = new ConcurrentHashMap<>();
    private final Map<PoolWorkload, Timer> runTimes = new ConcurrentHashMap<>();
    private final Map<String, ContentionSink> contention = new ConcurrentHashMap<>();

    public ThreadlabMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Per-pool saturation gauges, GIL token counters and the join-waiter gauge, once the pools exist. */
    void bind(@Observes StartupEvent started, JobEngine engine, Waiters waiters, StreamSlots streams, Cluster cluster) {
        StoreHealth store = cluster.health();
        Gauge.builder("threadlab.store.up", store, health -> health.up() ? 1 : 0).tags("store", store.store())
                .strongReference(true).description("1 while the job store answers (always, for the memory store)")
                .register(registry);
        FunctionCounter.builder("threadlab.store.errors", store, StoreHealth::errors).tags("store", store.store())
                .description("operations on the job store that failed or got no answer in time").register(registry);
        Gauge.builder("threadlab.streams.open", streams, StreamSlots::open).strongReference(true)
                .description("event streams open now (GET /events, /jobs/{id}/events, /pools/{name}/timeline)")
                .register(registry);
        Gauge.builder("threadlab.streams.limit", streams, StreamSlots::limit).strongReference(true)
                .description("event streams allowed open at once").register(registry);
        PoolRegistry pools = engine.pools();
        JobAccounts accounts = engine.accounts();
        Gauge.builder("threadlab.join.waiters", waiters, Waiters::waiting).strongReference(true)
                .description("join and wait requests waiting now").register(registry);
        Gauge.builder("threadlab.join.waiters.limit", waiters, Waiters::limit).strongReference(true)
                .description("join and wait requests allowed to wait at once").register(registry);
        for (Pool pool : pools.all()) {
            Tags tags = Tags.of("pool", pool.name());
            poolGauge("threadlab.pool.threads", pool, tags, p -> p.stats().threads(), "threads of the pool now");
            poolGauge("threadlab.pool.active.tasks", pool, tags, p -> p.stats().activeTasks(), "tasks running now");
            poolGauge("threadlab.pool.queued.tasks", pool, tags, p -> p.stats().queuedTasks(),
                    "tasks accepted and waiting for a thread or permit");
            poolGauge("threadlab.pool.queue.capacity", pool, tags, p -> p.settings().queueCapacity(),
                    "tasks that may wait beyond those running");
            poolGauge("threadlab.pool.max.concurrency", pool, tags, p -> p.settings().concurrency(),
                    "tasks that may run at once (threads of a platform or gil pool)");
            Gauge.builder("threadlab.jobs.in.flight", accounts, a -> a.counts(pool.name()).inFlight()).tags(tags)
                    .strongReference(true).description("jobs accepted and not yet terminal").register(registry);
            // present at zero from the start, so that rate() and alerts see them before the first event
            rejectedCounter(new PoolReason(pool.name(), JobEngine.REASON_QUEUE_FULL));
            rejectedCounter(new PoolReason(pool.name(), JobEngine.REASON_SHUTTING_DOWN));
            queueTimer(pool.name());
            for (Workload workload : engine.workloads().all()) {
                submittedCounter(new PoolWorkload(pool.name(), workload.name()));
                runTimer(new PoolWorkload(pool.name(), workload.name()));
                for (JobState state : JobState.values()) {
                    if (state.terminal()) {
                        finishedCounter(new PoolWorkloadState(pool.name(), workload.name(), state.label()));
                    }
                }
                for (TaskOutcome outcome : TaskOutcome.values()) {
                    tasksFinishedCounter(new PoolWorkloadState(pool.name(), workload.name(), outcome.label()));
                }
            }
            contention(pool.name());
            if (pool.model() instanceof GilExecutionModel gil) {
                bindGil(pool.name(), gil);
            }
        }
    }

    private void poolGauge(String name, Pool pool, Tags tags, ToDoubleFunction<Pool> value, String description) {
        Gauge.builder(name, pool, value).tags(tags).strongReference(true).description(description).register(registry);
    }

    private void bindGil(String poolName, GilExecutionModel gil) {
        Tags tags = Tags.of("pool", poolName);
        List<GilInterpreter> interpreters = gil.interpreters();
        gilCounter("threadlab.gil.held", "seconds", interpreters, tags,
                token -> token.counters().heldNanos() / 1e9, "time task threads held a token; rate = held ratio × interpreters");
        gilCounter("threadlab.gil.contended", "seconds", interpreters, tags,
                token -> token.counters().contendedNanos() / 1e9,
                "time at least one task waited for a token; rate = wait ratio × interpreters");
        gilCounter("threadlab.gil.switches", null, interpreters, tags,
                token -> token.counters().switches(), "times a token changed hands between threads (tasks or the probe)");
        gilCounter("threadlab.gil.forced.switches", null, interpreters, tags,
                token -> token.counters().forcedSwitches(), "switches right after a release forced by a drop request");
        gilCounter("threadlab.gil.releases", null, interpreters, tags,
                token -> token.counters().forcedReleases() + token.counters().voluntaryReleases(),
                "all releases by task threads, forced or voluntary (around blocking waits)");
        Gauge.builder("threadlab.gil.interpreters", interpreters, List::size).tags(tags).strongReference(true)
                .description("tokens of the pool; divide token-time rates by it for ratios").register(registry);
        Gauge.builder("threadlab.gil.waiting.threads", gil,
                        model -> model.interpreters().stream().mapToInt(i -> i.token().waitingTasks()).sum())
                .tags(tags).strongReference(true).description("task threads waiting for a token now").register(registry);
    }

    private void gilCounter(String name, String unit, List<GilInterpreter> interpreters, Tags tags,
                            ToDoubleFunction<GilToken> perToken, String description) {
        FunctionCounter.builder(name, interpreters,
                        list -> list.stream().mapToDouble(interpreter -> perToken.applyAsDouble(interpreter.token())).sum())
                .tags(tags).baseUnit(unit).description(description).register(registry);
    }

    @Override
    public GilListener forPool(String poolName) {
        Tags tags = Tags.of("pool", poolName);
        Timer wait = timer("threadlab.gil.wait", tags, GIL_BUCKETS, "how long task threads waited to take a token");
        Timer hold = timer("threadlab.gil.hold", tags, GIL_BUCKETS, "how long task threads held a token at a time");
        Timer probeLag = timer("threadlab.gil.probe.lag", tags, GIL_BUCKETS,
                "how late the responsiveness probe got a token after its 50 ms I/O wait");
        return new GilListener() {
            @Override
            public void acquired(long waitNanos) {
                wait.record(waitNanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void released(long holdNanos, boolean forced) {
                hold.record(holdNanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void probeLag(long lagNanos) {
                probeLag.record(lagNanos, TimeUnit.NANOSECONDS);
            }
        };
    }

    @Override
    public void accepted(Job job) {
        submittedCounter(new PoolWorkload(job.pool(), job.workload())).increment();
    }

    private Counter submittedCounter(PoolWorkload poolWorkload) {
        return submitted.computeIfAbsent(poolWorkload, key -> Counter
                .builder("threadlab.jobs.submitted").tags("pool", key.pool(), "workload", key.workload())
                .description("jobs accepted").register(registry));
    }

    @Override
    public void rejected(String pool, String workload, String reason) {
        rejectedCounter(new PoolReason(pool, reason)).increment();
    }

    private Counter rejectedCounter(PoolReason poolReason) {
        return rejected.computeIfAbsent(poolReason, key -> Counter
                .builder("threadlab.jobs.rejected").tags("pool", key.pool(), "reason", key.reason())
                .description("jobs refused whole (queue_full, shutting_down, ...)").register(registry));
    }

    @Override
    public void started(Job job, long queueNanos) {
        queueTimer(job.pool()).record(queueNanos, TimeUnit.NANOSECONDS);
    }

    private Timer queueTimer(String pool) {
        return queueTimes.computeIfAbsent(pool, name -> timer("threadlab.job.queue", Tags.of("pool", name), JOB_BUCKETS,
                "submission to first task start"));
    }

    private Timer runTimer(PoolWorkload poolWorkload) {
        return runTimes.computeIfAbsent(poolWorkload, key -> timer("threadlab.job.run",
                Tags.of("pool", key.pool(), "workload", key.workload()), JOB_BUCKETS, "first task start to the job's end"));
    }

    @Override
    public void ended(Job job, JobState state, long runNanos) {
        finishedCounter(new PoolWorkloadState(job.pool(), job.workload(), state.label())).increment();
        if (runNanos >= 0) {
            runTimer(new PoolWorkload(job.pool(), job.workload())).record(runNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void recordedLost(String pool, String workload) {
        finishedCounter(new PoolWorkloadState(pool, workload, JobState.FAILED.label())).increment();
    }

    private Counter finishedCounter(PoolWorkloadState key) {
        return finished.computeIfAbsent(key, k -> Counter.builder("threadlab.jobs.finished")
                .tags("pool", k.pool(), "workload", k.workload(), "state", k.state())
                .description("jobs that reached a terminal state").register(registry));
    }

    @Override
    public void taskEnded(Job job, TaskOutcome outcome) {
        tasksFinishedCounter(new PoolWorkloadState(job.pool(), job.workload(), outcome.label())).increment();
    }

    private Counter tasksFinishedCounter(PoolWorkloadState key) {
        return tasksFinished.computeIfAbsent(key, k -> Counter.builder("threadlab.tasks.finished")
                .tags("pool", k.pool(), "workload", k.workload(), "state", k.state())
                .description("tasks that ended, by outcome").register(registry));
    }

    @Override
    public ContentionSink contention(String pool) {
        return contention.computeIfAbsent(pool, this::contentionSink);
    }

    private ContentionSink contentionSink(String pool) {
        Timer lockWait = timer("threadlab.lock.wait", Tags.of("pool", pool), JOB_BUCKETS,
                "waits for the counter workload's contended lock");
        Counter lost = Counter.builder("threadlab.counter.lost.updates").tags("pool", pool)
                .description("increments lost by the counter workload's unsynchronised updates").register(registry);
        return new ContentionSink() {
            @Override
            public void lockWaited(long nanos) {
                lockWait.record(nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void updatesLost(long count) {
                lost.increment(count);
            }
        };
    }

    private Timer timer(String name, Tags tags, Duration[] buckets, String description) {
        return Timer.builder(name).tags(tags).serviceLevelObjectives(buckets).description(description).register(registry);
    }

    private static Duration[] millis(double... values) {
        return Arrays.stream(values).mapToObj(ms -> Duration.ofNanos((long) (ms * 1e6))).toArray(Duration[]::new);
    }
}
