package dev.threadlab.pool;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DrainRateEstimatorTest {

    @Test
    void estimatesFromTheRecentCompletionRate() {
        AtomicLong clock = new AtomicLong(0);
        DrainRateEstimator estimator = new DrainRateEstimator(clock::get);
        clock.set(2_000_000_000L); // 2 s later, 20 tasks completed: 10 per second
        assertEquals(5, estimator.secondsToFree(50, 20));
    }

    @Test
    void isBoundedWhenNothingDrains() {
        AtomicLong clock = new AtomicLong(0);
        DrainRateEstimator estimator = new DrainRateEstimator(clock::get);
        clock.set(5_000_000_000L);
        assertEquals(DrainRateEstimator.MAX_SECONDS, estimator.secondsToFree(100, 0));
        assertEquals(DrainRateEstimator.MIN_SECONDS, estimator.secondsToFree(1, 1_000_000));
    }
}
