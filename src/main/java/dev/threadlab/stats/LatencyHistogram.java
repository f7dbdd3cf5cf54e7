package dev.threadlab.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durations in nanoseconds, recorded by any number of threads. The first {@code exactSamples} values are kept as
 * they are, so that small samples get exact percentiles (nearest rank: a single sample is its own p50 and p99).
 * Beyond that, every value also lands in a log-linear histogram of 16 linear sub-buckets per power of two, whose
 * quantiles are within ~3 % of the true value and never outside the smallest and largest value recorded. The
 * histogram's 960 buckets are allocated only once a sample outgrows the exact part.
 *
 * <p>Thread-safety: lock-free. {@code recorded} hands out exact slots by atomic increment; a slot holds its value
 * plus one, so a reader skips a slot whose recorder has not written it yet (0); the buckets are an
 * {@link AtomicLongArray} published once by CAS; sum by an adder, min and max by CAS. A read taken while others
 * record may miss the newest values, never mix them up.
 */
public final class LatencyHistogram {

    private static final int SUB_BITS = 4;
    private static final int SUB_BUCKETS = 1 << SUB_BITS;
    // the largest long has exponent 62, i.e. shift 58: index (58 + 1) * 16 + 15 = 959
    public static final int BUCKETS = (64 - SUB_BITS) * SUB_BUCKETS;
    /** Exact samples kept when the caller does not say. */
    public static final int DEFAULT_EXACT = 256;
    private static final VarHandle BUCKET_ARRAY;

    static {
        try {
            BUCKET_ARRAY = MethodHandles.lookup().findVarHandle(LatencyHistogram.class, "buckets", AtomicLongArray.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AtomicLongArray exact;
    private final AtomicInteger recorded = new AtomicInteger();
    private final LongAdder sum = new LongAdder();
    private final AtomicLong min = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong max = new AtomicLong();
    @SuppressWarnings("unused") // set through BUCKET_ARRAY
    private volatile AtomicLongArray buckets;

    public LatencyHistogram() {
        this(DEFAULT_EXACT);
    }

    /** @param exactSamples how many values to keep exactly (0 for a pure histogram) */
    public LatencyHistogram(int exactSamples) {
        this.exact = new AtomicLongArray(exactSamples);
    }

    public void record(long nanos) {
        long value = Math.max(0, nanos);
        int slot = recorded.getAndIncrement();
        if (slot >= 0 && slot < exact.length()) {
            exact.set(slot, value + 1);
        } else {
            bucketArray().incrementAndGet(index(value));
        }
        sum.add(value);
        min.accumulateAndGet(value, Math::min);
        max.accumulateAndGet(value, Math::max);
    }

    private AtomicLongArray bucketArray() {
        AtomicLongArray current = buckets;
        if (current == null) {
            AtomicLongArray fresh = new AtomicLongArray(BUCKETS);
            current = BUCKET_ARRAY.compareAndSet(this, null, fresh) ? fresh : buckets;
        }
        return current;
    }

    public long count() {
        int n = recorded.get();
        return n < 0 ? Integer.MAX_VALUE : n;
    }

    public long sumNanos() {
        return sum.sum();
    }

    public long maxNanos() {
        return max.get();
    }

    /** The smallest value recorded; 0 when empty. */
    public long minNanos() {
        long value = min.get();
        return value == Long.MAX_VALUE ? 0 : value;
    }

    /**
     * The value at quantile {@code q} (0..1): exact (nearest rank) while every value is kept exactly, else the
     * middle of its bucket, clamped to the smallest and largest value recorded; 0 when empty.
     */
    public long quantileNanos(double q) {
        Quantiles quantiles = new Quantiles();
        addTo(quantiles);
        return quantiles.nanos(q);
    }

    /** Adds everything recorded to {@code quantiles}, e.g. to take quantiles over several histograms at once. */
    public void addTo(Quantiles quantiles) {
        long n = count();
        int kept = (int) Math.min(n, exact.length());
        long[] values = new long[kept];
        int found = 0;
        for (int i = 0; i < kept; i++) {
            long slot = exact.get(i);
            if (slot != 0) {
                values[found++] = slot - 1;
            }
        }
        quantiles.add(values, found, buckets, n <= exact.length(), minNanos(), maxNanos());
    }

    /** The quantile of merged bucket counts, as the middle of its bucket; 0 when empty. */
    static long quantileNanos(long[] bucketCounts, double q) {
        long total = 0;
        for (long count : bucketCounts) {
            total += count;
        }
        if (total == 0) {
            return 0;
        }
        long rank = rank(q, total);
        long seen = 0;
        for (int i = 0; i < bucketCounts.length; i++) {
            seen += bucketCounts[i];
            if (seen >= rank) {
                return middle(i);
            }
        }
        return middle(bucketCounts.length - 1);
    }

    /** Nearest rank (1-based) of quantile {@code q} among {@code n} values. */
    static long rank(double q, long n) {
        return Math.clamp((long) Math.ceil(q * n), 1, n);
    }

    /** Empties the histogram. Recordings racing with it may be lost or kept; callers accept that. */
    void reset() {
        recorded.set(0);
        for (int i = 0; i < exact.length(); i++) {
            exact.set(i, 0);
        }
        AtomicLongArray counts = buckets;
        if (counts != null) {
            for (int i = 0; i < BUCKETS; i++) {
                counts.set(i, 0);
            }
        }
        sum.reset();
        min.set(Long.MAX_VALUE);
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
