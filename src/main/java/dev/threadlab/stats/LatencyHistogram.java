package dev.threadlab.stats;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A lock-free log-linear histogram of durations in nanoseconds: 16 linear sub-buckets per power of two, so a
 * quantile read from it is within ~3 % of the true value. Fixed size (8 KiB), any number of recording threads.
 *
 * <p>Thread-safety: lock-free; buckets are an {@link AtomicLongArray}, count and sum adders, max a CAS. A read taken
 * while others record may miss the newest values, never mix up buckets.
 */
public final class LatencyHistogram {

    private static final int SUB_BITS = 4;
    private static final int SUB_BUCKETS = 1 << SUB_BITS;
    // the largest long has exponent 62, i.e. shift 58: index (58 + 1) * 16 + 15 = 959
    public static final int BUCKETS = (64 - SUB_BITS) * SUB_BUCKETS;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final LongAdder count = new LongAdder();
    private final LongAdder sum = new LongAdder();
    private final AtomicLong max = new AtomicLong();

    public void record(long nanos) {
        long value = Math.max(0, nanos);
        counts.incrementAndGet(index(value));
        count.increment();
        sum.add(value);
        max.accumulateAndGet(value, Math::max);
    }

    public long count() {
        return count.sum();
    }

    public long sumNanos() {
        return sum.sum();
    }

    public long maxNanos() {
        return max.get();
    }

    /** The value at quantile {@code q} (0..1), as the middle of its bucket (at most the maximum); 0 when empty. */
    public long quantileNanos(double q) {
        long[] snapshot = new long[BUCKETS];
        addCountsTo(snapshot);
        return Math.min(quantileNanos(snapshot, q), max.get());
    }

    /** Adds this histogram's bucket counts to {@code into} (of length {@link #BUCKETS}), e.g. to merge several. */
    public void addCountsTo(long[] into) {
        for (int i = 0; i < BUCKETS; i++) {
            into[i] += counts.get(i);
        }
    }

    /** The quantile of merged bucket counts, as the middle of its bucket; 0 when empty. */
    public static long quantileNanos(long[] bucketCounts, double q) {
        long total = 0;
        for (long count : bucketCounts) {
            total += count;
        }
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < bucketCounts.length; i++) {
            seen += bucketCounts[i];
            if (seen >= rank) {
                return middle(i);
            }
        }
        return middle(bucketCounts.length - 1);
    }

    /** Empties the histogram. Recordings racing with it may be lost or kept; callers accept that. */
    void reset() {
        for (int i = 0; i < BUCKETS; i++) {
            counts.set(i, 0);
        }
        count.reset();
        sum.reset();
        max.set(0);
    }

    /** count, mean, p50, p99, max in milliseconds, for a JSON result. */
    public Map<String, Object> summaryMillis() {
        Map<String, Object> summary = new LinkedHashMap<>();
        long n = count();
        summary.put("count", n);
        summary.put("meanMs", n == 0 ? 0.0 : round(sumNanos() / (double) n / 1e6));
        summary.put("p50Ms", round(quantileNanos(0.50) / 1e6));
        summary.put("p99Ms", round(quantileNanos(0.99) / 1e6));
        summary.put("maxMs", round(maxNanos() / 1e6));
        return summary;
    }

    /** Rounds to 3 decimals (microsecond resolution for milliseconds). */
    public static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }

    static int index(long value) {
        if (value < SUB_BUCKETS) {
            return (int) value;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(value); // >= SUB_BITS
        int shift = exponent - SUB_BITS;
        int sub = (int) (value >>> shift) & (SUB_BUCKETS - 1);
        return (shift + 1) * SUB_BUCKETS + sub;
    }

    static long lowerBound(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int shift = index / SUB_BUCKETS - 1;
        long sub = index % SUB_BUCKETS;
        return (SUB_BUCKETS + sub) << shift;
    }

    private static long middle(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int shift = index / SUB_BUCKETS - 1;
        return lowerBound(index) + ((1L << shift) >> 1);
    }
}
