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
    void quantilesAreWithinAFewPercent() {
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
}
