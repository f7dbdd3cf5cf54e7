package dev.threadlab.gil;

import dev.threadlab.pool.ExecutionModel;
import dev.threadlab.pool.PoolTask;
import dev.threadlab.pool.TaskHandle;
import dev.threadlab.stats.Quantiles;
import dev.threadlab.stats.WindowedHistogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The GIL pool kind: every task runs holding one interpreter's token (see {@link GilToken}). With one interpreter
 * all tasks share one token, so CPU-bound tasks take turns; with N interpreters tasks are spread over N tokens,
 * the analogue of multiprocessing or PEP 684 sub-interpreters, and CPU work scales again.
 *
 * <p>Thread-safety: interpreters are fixed at construction; each is thread-safe. A task is bound to the
 * interpreter with the fewest bound tasks when it starts (a benign race may pick a tie either way).
 */
public final class GilExecutionModel implements ExecutionModel {

    private final List<GilInterpreter> interpreters;
    private final GilTimeline timeline = new GilTimeline();

    public GilExecutionModel(String poolName, int interpreterCount, Duration switchInterval, GilListener listener) {
        List<GilInterpreter> list = new ArrayList<>();
        for (int i = 0; i < interpreterCount; i++) {
            list.add(new GilInterpreter(poolName, i, switchInterval.toNanos(), listener, timeline));
        }
        this.interpreters = List.copyOf(list);
    }

    /** The pool's token hand-overs, recorded while someone watches. */
    public GilTimeline timeline() {
        return timeline;
    }

    /** The figures of all tokens summed, now. */
    public GilCounters counters() {
        GilCounters sum = GilCounters.ZERO;
        for (GilInterpreter interpreter : interpreters) {
            sum = sum.plus(interpreter.token().counters());
        }
        return sum;
    }

    /** Probe lag at quantile {@code q} over the last few seconds, in milliseconds; 0 without samples. */
    public double recentProbeLagMillis(double q) {
        Quantiles merged = new Quantiles();
        for (GilInterpreter interpreter : interpreters) {
            interpreter.recentProbeLag().addTo(merged);
        }
        return merged.millis(q);
    }

    @Override
    public void run(TaskHandle handle, PoolTask task) {
        GilInterpreter interpreter = leastLoaded();
        interpreter.boundTasks().incrementAndGet();
        GilTaskContext context = new GilTaskContext(interpreter, handle);
        try {
            task.run(context);
        } finally {
            context.finish();
            interpreter.boundTasks().decrementAndGet();
        }
    }

    private GilInterpreter leastLoaded() {
        GilInterpreter best = interpreters.get(0);
        for (GilInterpreter candidate : interpreters) {
            if (candidate.boundTasks().get() < best.boundTasks().get()) {
                best = candidate;
            }
        }
        return best;
    }

    @Override
    public boolean setSwitchInterval(Duration interval) {
        for (GilInterpreter interpreter : interpreters) {
            interpreter.token().setIntervalNanos(interval.toNanos());
        }
        return true;
    }

    public Duration switchInterval() {
        return Duration.ofNanos(interpreters.get(0).token().intervalNanos());
    }

    public List<GilInterpreter> interpreters() {
        return interpreters;
    }

    /** Settings and live figures over the last minute, for {@code GET /pools/{name}}. */
    @Override
    public Map<String, Object> describe() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("interpreters", interpreters.size());
        view.put("switchIntervalMs", switchInterval().toNanos() / 1e6);
        List<Map<String, Object>> perInterpreter = new ArrayList<>();
        GilCounters now = GilCounters.ZERO;
        GilCounters then = GilCounters.ZERO;
        long elapsed = 0;
        for (GilInterpreter interpreter : interpreters) {
            GilCounters current = interpreter.token().counters();
            GilCounters earlier = interpreter.minuteAgo(current.atNanos());
            if (earlier == null) {
                earlier = current;
            }
            now = now.plus(current);
            then = then.plus(earlier);
            elapsed = Math.max(elapsed, current.atNanos() - earlier.atNanos());
            Map<String, Object> figures = figures(current, earlier, current.atNanos() - earlier.atNanos(),
                    List.of(interpreter), 1);
            figures.put("boundTasks", interpreter.boundTasks().get());
            perInterpreter.add(figures);
        }
        Map<String, Object> gil = figures(now, then, elapsed, interpreters, interpreters.size());
        Map<String, Object> recent = new LinkedHashMap<>();
        recent.put("p50", recentProbeLagMillis(0.50));
        recent.put("p99", recentProbeLagMillis(0.99));
        gil.put("probeLagLastSecondsMs", recent); // the moment, where the figures above cover the minute
        gil.put("perInterpreter", perInterpreter);
        view.put("gil", gil);
        return view;
    }

    /**
     * Ratios are per interpreter (held time / wall time / interpreters), so 1.0 means every token always held. A
     * switch is the token changing hands between two threads (tasks or the probe); forced switches are the switches
     * that followed a drop request, a subset of all switches.
     */
    private static Map<String, Object> figures(GilCounters now, GilCounters then, long elapsedNanos,
                                               List<GilInterpreter> over, int tokens) {
        double seconds = Math.max(elapsedNanos, 1) / 1e9;
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("windowSeconds", round(seconds));
        figures.put("heldRatio", round((now.heldNanos() - then.heldNanos()) / (seconds * 1e9 * tokens)));
        figures.put("waitRatio", round((now.contendedNanos() - then.contendedNanos()) / (seconds * 1e9 * tokens)));
        figures.put("switchesPerSecond", round((now.switches() - then.switches()) / seconds));
        figures.put("forcedSwitchesPerSecond", round((now.forcedSwitches() - then.forcedSwitches()) / seconds));
        figures.put("voluntaryReleasesPerSecond", round((now.voluntaryReleases() - then.voluntaryReleases()) / seconds));
        figures.put("switches", now.switches());
        figures.put("forcedSwitches", now.forcedSwitches());
        figures.put("voluntaryReleases", now.voluntaryReleases());
        figures.put("waitingThreads", now.waitingTasks());
        figures.put("acquireLatencyMs", quantiles(over, GilInterpreter::acquireLatency));
        figures.put("holdMs", quantiles(over, GilInterpreter::holdTimes));
        figures.put("probeLagMs", quantiles(over, GilInterpreter::probeLag));
        return figures;
    }

    private static Map<String, Object> quantiles(List<GilInterpreter> over,
                                                 Function<GilInterpreter, WindowedHistogram> histogram) {
        Quantiles merged = new Quantiles();
        for (GilInterpreter interpreter : over) {
            histogram.apply(interpreter).addTo(merged);
        }
        Map<String, Object> quantiles = new LinkedHashMap<>();
        quantiles.put("p50", merged.millis(0.50));
        quantiles.put("p99", merged.millis(0.99));
        return quantiles;
    }

    private static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }

    @Override
    public void close() throws InterruptedException {
        for (GilInterpreter interpreter : interpreters) {
            interpreter.close();
        }
    }
}
