package dev.threadlab.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyHistogramTest {

    @Test
    void bucketsCoverEveryValueInOrder() {
        long previous = -1;
        for (int i = 0; i < 960; i++) {
            long lower = LatencyHistogram.lowerBound(i);
            assertTrue(lower > previous, "bucket " + i);
            assertEquals(i, LatencyHistogram.index(lower));
            previous = lower;
        }
        assertEquals(959, LatencyHistogram.index(Long.MAX_VALUE), "the largest value has the last bucket");
    }

    @Test
    void quantilesOfLargeSamplesAreWithinAFewPercent() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (long micros = 1; micros <= 10_000; micros++) {
            histogram.record(micros * 1000);
        }
        assertEquals(10_000, histogram.count());
        assertEquals(5_000_000, histogram.quantileNanos(0.5), 5_000_000 * 0.04);
        assertEquals(9_900_000, histogram.quantileNanos(0.99), 9_900_000 * 0.04);
        assertEquals(10_000_000, histogram.maxNanos());
        assertEquals(0, new LatencyHistogram().quantileNanos(0.5));
    }

    /** A single 100.6 ms sample is its own p50 and p99, not the middle of its bucket (98.6 ms). */
    @Test
    void smallSamplesHaveExactPercentiles() {
        LatencyHistogram one = new LatencyHistogram(1);
        one.record(100_600_000);
        assertEquals(100_600_000, one.quantileNanos(0.5));
        assertEquals(100_600_000, one.quantileNanos(0.99));
        assertEquals(100.6, one.summaryMillis().get("p50Ms"));

        LatencyHistogram few = new LatencyHistogram();
        for (long ms : new long[]{7, 3, 5, 9, 1}) {
            few.record(ms * 1_000_000);
        }
        assertEquals(5_000_000, few.quantileNanos(0.5), "nearest rank: the 3rd of 5");
        assertEquals(9_000_000, few.quantileNanos(0.99));
        assertEquals(1_000_000, few.quantileNanos(0.0));
    }

    /** Beyond the exact part, an estimate never leaves the range of the values recorded. */
    @Test
    void estimatesStayWithinTheValuesRecorded() {
        LatencyHistogram histogram = new LatencyHistogram(2);
        for (int i = 0; i < 10; i++) {
            histogram.record(100_600_000);
        }
        assertEquals(100_600_000, histogram.quantileNanos(0.5));
        assertEquals(100_600_000, histogram.quantileNanos(0.99));
    }

    @Test
    void quantilesMergeExactlyAcrossSmallHistograms() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        a.record(2_000);
        b.record(1_000);
        b.record(3_000);
        Quantiles merged = new Quantiles();
        a.addTo(merged);
        b.addTo(merged);
        assertEquals(3, merged.count());
        assertEquals(2_000, merged.nanos(0.5));
        assertEquals(3_000, merged.nanos(1.0));
    }
}
