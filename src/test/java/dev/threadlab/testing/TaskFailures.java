package dev.threadlab.testing;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What went wrong on threads other than the test's own (pool threads, helpers), where a thrown assertion never
 * reaches JUnit: record it here, and the test asserts on its own thread that nothing was recorded. Thread-safe.
 */
public final class TaskFailures {

    private final Queue<Throwable> seen = new ConcurrentLinkedQueue<>();

    public void record(Throwable failure) {
        seen.add(failure);
    }

    public void assertNone() {
        assertEquals(List.of(), List.copyOf(seen), "a task thread failed");
    }
}
