package dev.threadlab.stats;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WindowedHistogramTest {

    private static Quantiles window(WindowedHistogram histogram) {
        Quantiles quantiles = new Quantiles();
        histogram.addTo(quantiles);
        return quantiles;
    }

    @Test
    void keepsTheLastSixSlotsAndReusesOlderOnes() {
        AtomicLong clock = new AtomicLong(0);
        WindowedHistogram histogram = new WindowedHistogram(10, clock::get); // slots of 10 ns, window of 60 ns
        histogram.record(1_000_000);
        clock.set(55);
        histogram.record(5_000_000);
        assertEquals(2, window(histogram).count(), "both inside the window");
        assertEquals(5_000_000, window(histogram).nanos(1.0));
        clock.set(65);
        assertEquals(1, window(histogram).count(), "the first slot left the window");
        histogram.record(2_000_000); // reuses the ring's first slot, which is emptied first
        assertEquals(2, window(histogram).count());
        clock.set(1_000);
        assertEquals(0, window(histogram).count(), "an idle minute leaves an empty window");
    }
}
