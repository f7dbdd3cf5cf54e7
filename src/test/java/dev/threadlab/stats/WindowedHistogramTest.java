package dev.threadlab.stats;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WindowedHistogramTest {

    private static long count(WindowedHistogram histogram) {
        long[] counts = new long[LatencyHistogram.BUCKETS];
        histogram.addCountsTo(counts);
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total;
    }

    @Test
    void keepsTheLastSixSlotsAndReusesOlderOnes() {
        AtomicLong clock = new AtomicLong(0);
        WindowedHistogram histogram = new WindowedHistogram(10, clock::get); // slots of 10 ns, window of 60 ns
        histogram.record(1_000_000);
        clock.set(55);
        histogram.record(5_000_000);
        assertEquals(2, count(histogram), "both inside the window");
        long[] counts = new long[LatencyHistogram.BUCKETS];
        histogram.addCountsTo(counts);
        assertEquals(5_000_000, LatencyHistogram.quantileNanos(counts, 1.0), 5_000_000 * 0.04);
        clock.set(65);
        assertEquals(1, count(histogram), "the first slot left the window");
        histogram.record(2_000_000); // reuses the ring's first slot, which is emptied first
        assertEquals(2, count(histogram));
        clock.set(1_000);
        assertEquals(0, count(histogram), "an idle minute leaves an empty window");
    }
}
