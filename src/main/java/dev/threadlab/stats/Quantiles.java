package dev.threadlab.stats;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Quantiles over one or more {@link LatencyHistogram}s at once (several interpreters, the slots of a window). Exact
 * (nearest rank over the values themselves) while every histogram added still keeps all its values exactly; else
 * from the merged buckets, clamped to the smallest and largest value seen. Not thread-safe: one reader fills and
 * reads it.
 */
public final class Quantiles {

    private final long[] counts = new long[LatencyHistogram.BUCKETS];
    private long[] values = new long[0];
    private int valueCount;
    private boolean allExact = true;
    private long min = Long.MAX_VALUE;
    private long max = Long.MIN_VALUE;
    private boolean empty = true;

    void add(long[] exactValues, int exactCount, AtomicLongArray buckets, boolean complete, long smallest, long largest) {
        if (exactCount > 0) {
            if (valueCount + exactCount > values.length) {
                values = Arrays.copyOf(values, Math.max(values.length * 2, valueCount + exactCount));
            }
            System.arraycopy(exactValues, 0, values, valueCount, exactCount);
            valueCount += exactCount;
            for (int i = 0; i < exactCount; i++) {
                counts[LatencyHistogram.index(exactValues[i])]++;
            }
        }
        if (buckets != null) {
            for (int i = 0; i < LatencyHistogram.BUCKETS; i++) {
                counts[i] += buckets.get(i);
            }
        }
        allExact &= complete;
        if (exactCount > 0 || buckets != null) {
            empty = false;
            min = Math.min(min, smallest);
            max = Math.max(max, largest);
        }
    }

    /** How many values were added. */
    public long count() {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total;
    }

    /** The value at quantile {@code q} (0..1) in nanoseconds; 0 when nothing was recorded. */
    public long nanos(double q) {
        if (empty) {
            return 0;
        }
        if (allExact) {
            if (valueCount == 0) {
                return 0;
            }
            long[] sorted = Arrays.copyOf(values, valueCount);
            Arrays.sort(sorted);
            return sorted[(int) LatencyHistogram.rank(q, sorted.length) - 1];
        }
        long estimate = LatencyHistogram.quantileNanos(counts, q);
        // a read racing with a recording may see its minimum before its maximum: clamp only a consistent range
        return min <= max ? Math.clamp(estimate, min, max) : estimate;
    }

    /** The value at quantile {@code q} in milliseconds, rounded to microseconds. */
    public double millis(double q) {
        return LatencyHistogram.round(nanos(q) / 1e6);
    }
}
