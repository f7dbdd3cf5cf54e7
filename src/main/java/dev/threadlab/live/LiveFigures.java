package dev.threadlab.live;

import dev.threadlab.gil.GilCounters;
import dev.threadlab.gil.GilExecutionModel;
import dev.threadlab.job.JobAccounts;
import dev.threadlab.job.JobEngine;
import dev.threadlab.pool.Pool;
import dev.threadlab.pool.PoolStats;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The live figures of this instance, sampled once a second for the console and {@code GET /events}: per pool its
 * threads, running and queued tasks, jobs and tasks finished per second, and for GIL pools the held and wait ratios,
 * switches per second and probe lag over the last seconds (the pool's own figures cover a minute). Rates are the
 * change since the previous sample.
 *
 * <p>Thread-safety: {@link #sample()} holds this object's monitor, which guards {@code previous}; it calls nothing
 * foreign, and reading the pools and tokens takes only their own short locks.
 */
public final class LiveFigures {

    /** One sample of the instance. */
    public record Snapshot(String instance, Instant at, long jobsInFlight, List<PoolFigures> pools) {
    }

    /** One pool at one sample; {@code gil} is null for other kinds. */
    public record PoolFigures(String name, String kind, int concurrency, int threads, int activeTasks, int queuedTasks,
                              double jobsPerSecond, double tasksPerSecond, GilFigures gil) {
    }

    /**
     * A GIL pool's tokens over the last second (probe lag: the last few seconds).
     *
     * @param heldRatio share of the time the tokens were held (per token)
     * @param waitRatio share of the time at least one task waited for a token (per token)
     */
    public record GilFigures(int interpreters, double switchIntervalMs, double heldRatio, double waitRatio,
                             double switchesPerSecond, double forcedSwitchesPerSecond, int waitingThreads,
                             double probeLagP99Ms) {
    }

    private record Previous(long atNanos, long finishedJobs, long completedTasks, GilCounters gil) {
    }

    private final JobEngine engine;
    private final Map<String, Previous> previous = new HashMap<>();

    public LiveFigures(JobEngine engine) {
        this.engine = engine;
    }

    public synchronized Snapshot sample() {
        long now = System.nanoTime();
        List<PoolFigures> pools = new ArrayList<>();
        long inFlight = 0;
        for (Pool pool : engine.pools().all()) {
            JobAccounts.Counts counts = engine.accounts().counts(pool.name());
            inFlight += counts.inFlight();
            PoolStats stats = pool.stats();
            GilExecutionModel gil = pool.model() instanceof GilExecutionModel model ? model : null;
            GilCounters tokens = gil == null ? null : gil.counters();
            Previous before = previous.put(pool.name(), new Previous(now, counts.finished(), stats.completedTasks(), tokens));
            double seconds = before == null ? 0 : (now - before.atNanos()) / 1e9;
            double jobsPerSecond = seconds <= 0 ? 0 : round((counts.finished() - before.finishedJobs()) / seconds);
            double tasksPerSecond = seconds <= 0 ? 0 : round((stats.completedTasks() - before.completedTasks()) / seconds);
            GilFigures gilFigures = gil == null ? null : gilFigures(gil, tokens, before == null ? null : before.gil(), seconds);
            pools.add(new PoolFigures(pool.name(), pool.kind().id(), pool.settings().concurrency(), stats.threads(),
                    stats.activeTasks(), stats.queuedTasks(), jobsPerSecond, tasksPerSecond, gilFigures));
        }
        return new Snapshot(engine.instance(), Instant.now(), inFlight, pools);
    }

    private static GilFigures gilFigures(GilExecutionModel gil, GilCounters now, GilCounters then, double seconds) {
        int tokens = gil.interpreters().size();
        double held = 0;
        double waited = 0;
        double switches = 0;
        double forced = 0;
        if (then != null && seconds > 0) {
            double tokenNanos = seconds * 1e9 * tokens;
            held = round(Math.min(1, (now.heldNanos() - then.heldNanos()) / tokenNanos));
            waited = round(Math.min(1, (now.contendedNanos() - then.contendedNanos()) / tokenNanos));
            switches = round((now.switches() - then.switches()) / seconds);
            forced = round((now.forcedSwitches() - then.forcedSwitches()) / seconds);
        }
        return new GilFigures(tokens, gil.switchInterval().toNanos() / 1e6, held, waited, switches, forced,
                now.waitingTasks(), gil.recentProbeLagMillis(0.99));
    }

    private static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }
}
