package dev.threadlab.stats;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Durations recorded over a sliding window (the last minute by default): a ring of {@link LatencyHistogram}s,
 * one per slot of time, reused when the ring comes round. Readers merge the slots still inside the window
 * ({@link #addTo}) into {@link Quantiles}, exact while the window holds few values.
 *
 * <p>Thread-safety: lock-free. The recorder that first enters a new slot claims it by CAS on the slot's epoch and
 * empties it; a recording racing with that reset may be lost, which a live figure can afford.
 */
public final class WindowedHistogram {

    private static final int SLOTS = 6;

    private final LatencyHistogram[] slots = new LatencyHistogram[SLOTS];
    private final AtomicLongArray epochs = new AtomicLongArray(SLOTS);
    private final long slotNanos;
    private final LongSupplier clock;

    /** A window of one minute in six slots of ten seconds. */
    public WindowedHistogram() {
        this(Duration.ofSeconds(10));
    }

    /** A window of six slots of {@code slot} each. */
    public WindowedHistogram(Duration slot) {
        this(slot.toNanos(), System::nanoTime);
    }

    WindowedHistogram(long slotNanos, LongSupplier clock) {
        this.slotNanos = slotNanos;
        this.clock = clock;
        for (int i = 0; i < SLOTS; i++) {
            slots[i] = new LatencyHistogram();
            epochs.set(i, Long.MIN_VALUE);
        }
    }

    public void record(long nanos) {
        long epoch = Math.floorDiv(clock.getAsLong(), slotNanos);
        int index = (int) Math.floorMod(epoch, SLOTS);
        long seen = epochs.get(index);
        if (seen != epoch && epochs.compareAndSet(index, seen, epoch)) {
            slots[index].reset();
        }
        slots[index].record(nanos);
    }

    /** Adds the values inside the window to {@code into}, e.g. to merge several windows. */
    public void addTo(Quantiles into) {
        long current = Math.floorDiv(clock.getAsLong(), slotNanos);
        for (int i = 0; i < SLOTS; i++) {
            long epoch = epochs.get(i);
            if (epoch != Long.MIN_VALUE && current - epoch < SLOTS) {
                slots[i].addTo(into);
            }
        }
    }
}
