package dev.threadlab.gil;

import dev.threadlab.stats.WindowedHistogram;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One interpreter of a GIL pool: its token, the tasks bound to it, its responsiveness probe and the last
 * minute of its figures.
 *
 * <p>The probe is the "keep the UI alive" thread of threading tutorials: it sleeps 50 ms (an I/O wait), then
 * must take the token for a moment, and records how late it got it. It also samples the token's counters once a
 * second, for rates over the last minute.
 *
 * <p>Thread-safety: histograms are lock-free; samples live in an {@link AtomicReferenceArray} written only by the
 * probe thread; {@code boundTasks} is atomic.
 */
public final class GilInterpreter implements AutoCloseable {

    static final long PROBE_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final Logger LOG = Logger.getLogger(GilInterpreter.class);
    private static final long SAMPLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int SAMPLES = 61;

    private final int index;
    private final GilToken token;
    private final GilListener listener;
    private final AtomicInteger boundTasks = new AtomicInteger();
    private final WindowedHistogram acquireLatency = new WindowedHistogram();
    private final WindowedHistogram holdTimes = new WindowedHistogram();
    private final WindowedHistogram probeLag = new WindowedHistogram();
    /** The last six seconds of probe lag, for live views that show the moment rather than the minute. */
    private final WindowedHistogram recentProbeLag = new WindowedHistogram(Duration.ofSeconds(1));
    private final GilTimeline timeline;
    private final AtomicReferenceArray<GilCounters> samples = new AtomicReferenceArray<>(SAMPLES);
    private final Thread probe;
    private int nextSample;

    GilInterpreter(String poolName, int index, long intervalNanos, GilListener listener, GilTimeline timeline) {
        this.index = index;
        this.token = new GilToken(intervalNanos);
        this.listener = listener;
        this.timeline = timeline;
        samples.set(0, token.counters());
        nextSample = 1;
        this.probe = Thread.ofPlatform().daemon(true).name("threadlab-" + poolName + "-probe-" + index)
                .start(this::probeLoop);
    }

    public int index() {
        return index;
    }

    public GilToken token() {
        return token;
    }

    AtomicInteger boundTasks() {
        return boundTasks;
    }

    /** A task thread took the token: called right after taking it. */
    void recordAcquired(long waitNanos) {
        timeline.record(index, GilTimeline.Kind.TAKE, waitNanos);
        acquireLatency.record(waitNanos);
        listener.acquired(waitNanos);
    }

    /** A task thread is about to release the token (so its release precedes the next take in the timeline). */
    void releasing(boolean forced) {
        timeline.record(index, forced ? GilTimeline.Kind.FORCED_RELEASE : GilTimeline.Kind.VOLUNTARY_RELEASE, 0);
    }

    void recordReleased(long holdNanos, boolean forced) {
        holdTimes.record(holdNanos);
        listener.released(holdNanos, forced);
    }

    private void probeLoop() {
        long lastSample = System.nanoTime();
        try {
            while (!Thread.currentThread().isInterrupted()) {
                TimeUnit.NANOSECONDS.sleep(PROBE_SLEEP_NANOS);
                long ready = System.nanoTime();
                token.acquire(false);
                long lag = System.nanoTime() - ready;
                timeline.record(index, GilTimeline.Kind.PROBE_TAKE, lag);
                timeline.record(index, GilTimeline.Kind.PROBE_RELEASE, 0);
                token.release(false);
                probeLag.record(lag);
                recentProbeLag.record(lag);
                listener.probeLag(lag);
                if (ready - lastSample >= SAMPLE_NANOS) {
                    samples.set(nextSample, token.counters());
                    nextSample = (nextSample + 1) % SAMPLES;
                    lastSample = ready;
                }
            }
        } catch (InterruptedException stopped) {
            // the pool is shutting down
        } catch (RuntimeException e) {
            LOG.error("GIL probe stopped", e);
        }
    }

    /** The oldest sample no older than a minute (or the oldest there is). */
    GilCounters minuteAgo(long nowNanos) {
        GilCounters oldest = null;
        for (int i = 0; i < SAMPLES; i++) {
            GilCounters sample = samples.get(i);
            if (sample != null && nowNanos - sample.atNanos() <= TimeUnit.SECONDS.toNanos(60)
                    && (oldest == null || sample.atNanos() < oldest.atNanos())) {
                oldest = sample;
            }
        }
        return oldest;
    }

    WindowedHistogram acquireLatency() {
        return acquireLatency;
    }

    WindowedHistogram holdTimes() {
        return holdTimes;
    }

    WindowedHistogram probeLag() {
        return probeLag;
    }

    WindowedHistogram recentProbeLag() {
        return recentProbeLag;
    }

    @Override
    public void close() throws InterruptedException {
        probe.interrupt();
        probe.join(TimeUnit.SECONDS.toMillis(5));
    }
}
