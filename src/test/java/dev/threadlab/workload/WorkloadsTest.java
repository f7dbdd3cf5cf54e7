package dev.threadlab.workload;

import dev.threadlab.pool.TaskCancelledException;
import dev.threadlab.pool.TaskContext;
import dev.threadlab.input.InvalidInputException;
import dev.threadlab.input.Params;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Workloads run directly on plain threads, without pools or Quarkus. */
class WorkloadsTest {

    @TempDir
    Path tempDir;

    /** A context whose checkpoints can be made to cancel after a number of calls. */
    static class TestContext implements TaskContext {
        final AtomicInteger checkpoints = new AtomicInteger();
        final int cancelAfter;
        final int index;

        TestContext(int index, int cancelAfter) {
            this.index = index;
            this.cancelAfter = cancelAfter;
        }

        @Override
        public void checkpoint() {
            if (checkpoints.incrementAndGet() > cancelAfter) {
                throw new TaskCancelledException();
            }
        }

        @Override
        public <T> T blocking(BlockingCall<T> call) throws IOException {
            checkpoint();
            try {
                return call.call();
            } catch (InterruptedException e) {
                throw new TaskCancelledException();
            }
        }

        @Override
        public int taskIndex() {
            return index;
        }
    }

    /** Runs all tasks of a run on their own threads, started together behind a latch, and joins them. */
    static void runTasks(WorkloadRun run, int tasks) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < tasks; i++) {
            int index = i;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    run.runTask(new TestContext(index, Integer.MAX_VALUE));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    private static Params params(Workload workload, Map<String, Object> raw) {
        return Params.validate(WorkloadCatalog.allParams(workload), raw);
    }

    @Test
    void cpuKernelIsDeterministicAndCheckpointsOften() {
        TestContext context = new TestContext(0, Integer.MAX_VALUE);
        long checksum = CpuKernel.run(10_000, context);
        assertEquals(CpuKernel.checksum(10_000), checksum);
        assertTrue(context.checkpoints.get() >= 10_000 / CpuKernel.CHECKPOINT_EVERY);
        assertEquals(CpuKernel.checksum(10_001) == checksum, false, "different lengths give different checksums");
    }

    @Test
    void checksumsAreSixteenLowerCaseHexDigitsUnsigned() {
        assertEquals("0000000000000000", CpuKernel.hex(0));
        assertEquals("0000000000000abc", CpuKernel.hex(0xabc));
        assertEquals("ffffffffffffffff", CpuKernel.hex(-1));
        assertEquals("8000000000000000", CpuKernel.hex(Long.MIN_VALUE));
    }

    @Test
    void cpuKernelStopsAtTheNextCheckpointWhenCancelled() {
        assertThrows(TaskCancelledException.class, () -> CpuKernel.run(Long.MAX_VALUE, new TestContext(0, 3)));
    }

    @Test
    void counterWithLockOrAtomicNeverLosesAnUpdate() throws Exception {
        CounterWorkload workload = new CounterWorkload(100_000_000);
        for (String sync : List.of("lock", "atomic")) {
            WorkloadRun run = workload.start(params(workload, Map.of("increments", 200_000, "sync", sync)), 4, ContentionSink.NONE);
            runTasks(run, 4);
            Map<String, Object> summary = run.summary();
            assertEquals(800_000L, summary.get("expected"), sync);
            assertEquals(800_000L, summary.get("actual"), sync);
            assertEquals(0L, summary.get("lostUpdates"), sync);
        }
    }

    @Test
    void counterWithoutSyncNeverCountsMoreThanExpected() throws Exception {
        CounterWorkload workload = new CounterWorkload(100_000_000);
        AtomicLong reportedLost = new AtomicLong(-1);
        ContentionSink sink = new ContentionSink() {
            @Override
            public void updatesLost(long count) {
                reportedLost.set(count);
            }
        };
        WorkloadRun run = workload.start(params(workload, Map.of("increments", 500_000, "sync", "none")), 4, sink);
        runTasks(run, 4);
        run.finished();
        Map<String, Object> summary = run.summary();
        long actual = (Long) summary.get("actual");
        assertEquals(2_000_000L, summary.get("expected"));
        assertTrue(actual >= 500_000 && actual <= 2_000_000, "actual " + actual);
        assertEquals(2_000_000L - actual, summary.get("lostUpdates"));
        assertEquals(2_000_000L - actual, reportedLost.get(), "lost updates are reported once the job ends");
    }

    @Test
    void counterWithoutSyncAloneIsExact() throws Exception {
        CounterWorkload workload = new CounterWorkload(100_000_000);
        WorkloadRun run = workload.start(params(workload, Map.of("increments", 100_000, "sync", "none")), 1, ContentionSink.NONE);
        runTasks(run, 1);
        assertEquals(0L, run.summary().get("lostUpdates"), "one thread cannot race with itself");
    }

    /**
     * Regression (found by the soak): a task cancelled right after its blocking wait got the lock (on a GIL pool:
     * while taking the token back) kept the lock for ever, and every other task and status read waited for it.
     */
    @Test
    void aTaskCancelledRightAfterGettingTheLockReleasesIt() throws Exception {
        CounterWorkload workload = new CounterWorkload(100_000_000);
        WorkloadRun run = workload.start(params(workload, Map.of("increments", 50_000_000, "sync", "lock")), 2,
                ContentionSink.NONE);
        // the second blocking call (the first is the starting line) runs, then the task is cancelled
        TaskContext cancelledAfterWait = new TestContext(0, Integer.MAX_VALUE) {
            private int blockingCalls;

            @Override
            public <T> T blocking(BlockingCall<T> call) throws IOException {
                T result = super.blocking(call);
                if (++blockingCalls == 2) {
                    throw new TaskCancelledException();
                }
                return result;
            }
        };
        AtomicReference<Throwable> first = new AtomicReference<>();
        Thread cancelled = Thread.ofPlatform().start(() -> {
            try {
                run.runTask(cancelledAfterWait);
            } catch (Throwable t) {
                first.set(t);
            }
        });
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                run.runTask(new TestContext(1, 2_000_000)); // stops after ~1M increments
            } catch (Exception expected) {
                // cancelled by its own context
            }
        });
        cancelled.join(20_000);
        other.join(20_000);
        assertTrue(first.get() instanceof TaskCancelledException, String.valueOf(first.get()));
        assertTrue(!other.isAlive(), "the other task waits for a lock nobody will release");
        assertTrue((Long) run.summary().get("actual") > 0);
    }

    @Test
    void fileTasksVerifyAndLeaveNoFileBehindEvenWhenCancelled() throws Exception {
        try (FileSpace space = new FileSpace(tempDir, 16L << 20)) {
            FileWorkload workload = new FileWorkload(space, 8L << 20);
            WorkloadRun run = workload.start(params(workload, Map.of("bytes", 300_001, "fsync", true)), 3, ContentionSink.NONE);
            runTasks(run, 3);
            assertEquals(3L, run.summary().get("verifiedTasks"));
            assertEquals(0, space.fileCount());

            WorkloadRun cancelled = workload.start(params(workload, Map.of("bytes", 4 << 20)), 1, ContentionSink.NONE);
            assertThrows(TaskCancelledException.class, () -> cancelled.runTask(new TestContext(0, 5)));
            assertEquals(0, space.fileCount(), "a cancelled task deletes its file");
        }
        try (var left = Files.list(tempDir)) {
            assertEquals(0, left.count(), "closing the space removes its folder");
        }
    }

    @Test
    void ioSplitsTheWaitIntoChunksAndRecordsTheirLatency() throws Exception {
        IoWorkload workload = new IoWorkload(60_000, 10_000);
        WorkloadRun run = workload.start(params(workload, Map.of("durationMs", 40, "chunks", 4)), 2, ContentionSink.NONE);
        runTasks(run, 2);
        @SuppressWarnings("unchecked")
        Map<String, Object> latency = (Map<String, Object>) run.summary().get("chunkLatency");
        assertEquals(8L, latency.get("count"));
        assertTrue((Double) latency.get("p50Ms") >= 9.5, latency.toString());
    }

    /**
     * Tasks that take turns note each hand-over themselves: on one thread there is one turn (its start); two tasks
     * that alternate every few checkpoints see a hand-over at each alternation, and slices as long as their turns.
     */
    @Test
    void tasksThatTakeTurnsNoteEachHandOver() throws Exception {
        Turns turns = new Turns();
        TaskContext alone = turns.watch(new TestContext(0, Integer.MAX_VALUE), 0);
        for (int i = 0; i < 100; i++) {
            alone.checkpoint();
        }
        assertEquals(1L, turns.summary().get("handOvers"), "one task alone is handed the work once");
        Turns alternating = new Turns();
        TaskContext first = alternating.watch(new TestContext(0, Integer.MAX_VALUE), 0);
        TaskContext second = alternating.watch(new TestContext(1, Integer.MAX_VALUE), 1);
        for (int round = 0; round < 50; round++) {
            TaskContext current = round % 2 == 0 ? first : second;
            for (int i = 0; i < 3; i++) {
                current.checkpoint();
            }
        }
        Map<String, Object> summary = alternating.summary();
        assertEquals(50L, summary.get("handOvers"));
        @SuppressWarnings("unchecked")
        Map<String, Object> slices = (Map<String, Object>) summary.get("sliceMs");
        assertEquals(49L, slices.get("count"), "a slice between every two hand-overs");
    }

    @Test
    void paramsAreValidatedWithFieldAndRange() {
        CpuWorkload workload = new CpuWorkload(1000);
        InvalidInputException tooBig = assertThrows(InvalidInputException.class, () -> params(workload, Map.of("iterations", 1001)));
        assertEquals("params.iterations", tooBig.field());
        assertTrue(tooBig.allowed().contains("1 to 1000"), tooBig.getMessage());
        assertThrows(InvalidInputException.class, () -> params(workload, Map.of("iterations", "12")));
        assertThrows(InvalidInputException.class, () -> params(workload, Map.of("iterations", true)));
        assertThrows(InvalidInputException.class, () -> params(workload, Map.of("failProbability", Double.NaN)));
        assertEquals(12L, params(workload, Map.of("iterations", 12.0)).getLong("iterations"), "12.0 is whole");
        assertEquals(1_000_000L, params(new CpuWorkload(10_000_000), Map.of()).getLong("iterations"));
    }
}
