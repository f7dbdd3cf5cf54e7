package dev.threadlab.workload;

import dev.threadlab.pool.TaskContext;
import dev.threadlab.stats.LatencyHistogram;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The tasks of a job watching themselves take turns, as CPython's classic GIL experiment does: at every checkpoint a
 * task notes whether it runs after another task did ({@code owner} changed) and, if so, marks the moment. The time
 * between two marks is a slice one task ran while the others did not; the marks per second are the hand-overs. Seen
 * from inside the tasks, with nothing from the pool kind (a GIL token's own counters) in between, so a simulated GIL
 * can be checked against what its tasks actually experienced.
 *
 * <p>Thread-safety: {@code owner} is volatile (tasks race on it on purpose: a lost mark only shortens a slice that
 * another task ran concurrently, which a GIL rules out); the marks use atomics and a lock-free histogram.
 */
final class Turns {

    /** Beyond this many slices, percentiles are estimated (within a few percent). */
    private static final int EXACT_SLICES = 4096;

    private volatile int owner = -1;
    private final AtomicLong firstMark = new AtomicLong();
    private final AtomicLong lastMark = new AtomicLong();
    private final LongAdder marks = new LongAdder();
    private final LatencyHistogram slices = new LatencyHistogram(EXACT_SLICES);

    /** A context for task {@code index} that notes its turns after every checkpoint of {@code context}. */
    TaskContext watch(TaskContext context, int index) {
        return new TaskContext() {
            @Override
            public void checkpoint() {
                context.checkpoint();
                if (owner != index) {
                    owner = index;
                    mark(System.nanoTime());
                }
            }

            @Override
            public <T> T blocking(BlockingCall<T> call) throws IOException {
                return context.blocking(call);
            }

            @Override
            public int taskIndex() {
                return context.taskIndex();
            }

            @Override
            public Map<String, Number> figures() {
                return context.figures();
            }

            @Override
            public void finish() {
                context.finish();
            }
        };
    }

    private void mark(long now) {
        firstMark.compareAndSet(0, now);
        long previous = lastMark.getAndSet(now);
        if (previous != 0) {
            slices.record(now - previous);
        }
        marks.increment();
    }

    /** Hand-overs seen, their rate over the span of the marks, and the slice lengths between them. */
    Map<String, Object> summary() {
        Map<String, Object> turns = new LinkedHashMap<>();
        long count = marks.sum();
        long span = lastMark.get() - firstMark.get();
        turns.put("handOvers", count);
        turns.put("perSecond", span <= 0 ? 0.0 : LatencyHistogram.round(Math.max(0, count - 1) / (span / 1e9)));
        turns.put("sliceMs", slices.summaryMillis());
        return turns;
    }
}
