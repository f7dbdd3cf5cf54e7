package dev.threadlab.pool;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Estimates how long a pool needs to work off what it holds, from the rate at which it has been completing
 * tasks lately: the basis of {@code Retry-After} on a rejection.
 *
 * <p>Thread-safety: the two samples live in one immutable record behind an {@link AtomicReference}; a caller
 * that loses the race to rotate them just uses the pair it read.
 */
final class DrainRateEstimator {

    static final long MIN_SECONDS = 1;
    static final long MAX_SECONDS = 60;
    private static final long ROTATE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Sample(long nanos, long completed) {
    }

    private record Window(Sample older, Sample newer) {
    }

    private final LongSupplier clock;
    private final AtomicReference<Window> window;

    DrainRateEstimator() {
        this(System::nanoTime);
    }

    DrainRateEstimator(LongSupplier clock) {
        this.clock = clock;
        Sample start = new Sample(clock.getAsLong(), 0);
        this.window = new AtomicReference<>(new Window(start, start));
    }

    /** Seconds until {@code held} tasks have likely completed, given the completion counter now; 1 to 60. */
    long secondsToFree(long held, long completedNow) {
        long now = clock.getAsLong();
        Window current = window.get();
        if (now - current.newer().nanos() >= ROTATE_NANOS) {
            Window rotated = new Window(current.newer(), new Sample(now, completedNow));
            window.compareAndSet(current, rotated);
            current = rotated;
        }
        double elapsedSeconds = (now - current.older().nanos()) / 1e9;
        long done = completedNow - current.older().completed();
        if (elapsedSeconds <= 0 || done <= 0) {
            return MAX_SECONDS; // nothing completed lately: the pool is stuck on long tasks
        }
        double perSecond = done / elapsedSeconds;
        long seconds = (long) Math.ceil(held / perSecond);
        return Math.clamp(seconds, MIN_SECONDS, MAX_SECONDS);
    }
}
