package dev.threadlab.gil;

import dev.threadlab.pool.HandOff;
import dev.threadlab.pool.Pool;
import dev.threadlab.pool.PoolSettings;
import dev.threadlab.pool.PoolTask;
import dev.threadlab.pool.TaskCancelledException;
import dev.threadlab.pool.TaskContext;
import dev.threadlab.pool.TaskHandle;
import dev.threadlab.testing.TaskFailures;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.threadlab.testing.PoolTasks.submitAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GIL model inside a real pool: workload code runs only with the token, which is always given back. */
class GilPoolTest {

    private Pool pool;
    private GilExecutionModel model;

    private Pool gilPool(int threads, int interpreters) {
        model = new GilExecutionModel("t", interpreters, Duration.ofMillis(1), GilListener.NONE);
        pool = Pool.gil("t", new PoolSettings(threads, 100), model, HandOff.IMMEDIATE);
        return pool;
    }

    /** Tasks run on pool threads: what fails there is recorded and asserted on the test thread. */
    private final TaskFailures failures = new TaskFailures();

    @AfterEach
    void stop() throws Exception {
        pool.shutdown(Duration.ofSeconds(5));
        failures.assertNone();
    }

    /** Spins in checkpoints until released or cancelled, recording whether it ever ran without the token. */
    static final class Spinner implements PoolTask {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch ended = new CountDownLatch(1);
        final AtomicBoolean stop;
        final AtomicReference<String> outcome = new AtomicReference<>();
        final GilToken token;
        final AtomicInteger ranWithoutToken;
        volatile Map<String, Number> figures;

        Spinner(AtomicBoolean stop, GilToken token, AtomicInteger ranWithoutToken) {
            this.stop = stop;
            this.token = token;
            this.ranWithoutToken = ranWithoutToken;
        }

        @Override
        public void run(TaskContext context) {
            try {
                context.checkpoint();
                started.countDown();
                while (!stop.get()) {
                    if (token != null && !token.heldByCurrentThread()) {
                        ranWithoutToken.incrementAndGet();
                    }
                    context.checkpoint();
                }
                outcome.set("done");
            } catch (TaskCancelledException e) {
                outcome.set("cancelled");
            } finally {
                figures = context.figures();
                ended.countDown();
            }
        }

        @Override
        public void discarded() {
            outcome.set("discarded");
            ended.countDown();
        }
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertTrue(latch.await(20, TimeUnit.SECONDS), "timed out");
    }

    @Test
    void computeRunsOnlyWithTheTokenAndThreadsTakeTurns() throws Exception {
        gilPool(3, 1);
        GilToken token = model.interpreters().get(0).token();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger violations = new AtomicInteger();
        List<Spinner> spinners = List.of(new Spinner(stop, token, violations), new Spinner(stop, token, violations),
                new Spinner(stop, token, violations));
        submitAll(pool, spinners);
        for (Spinner spinner : spinners) {
            await(spinner.started); // each got the token at least once: they interleave
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> token.counters().switches() >= 10);
        stop.set(true);
        for (Spinner spinner : spinners) {
            await(spinner.ended);
            assertEquals("done", spinner.outcome.get());
            assertTrue(spinner.figures.get("holdNanos").longValue() > 0);
        }
        assertEquals(0, violations.get(), "workload code ran without the token");
        assertTrue(token.counters().forcedReleases() > 0);
    }

    /**
     * A blocking call that completed returns its result even when the task is cancelled while it waits to take the
     * token back (the file workload's disk budget leaked there); the cancel is seen at the next checkpoint.
     */
    @Test
    void aCompletedBlockingCallIsNeverLostToACancelWhileTheTokenIsTakenBack() throws Exception {
        gilPool(2, 1);
        GilToken token = model.interpreters().get(0).token();
        CountDownLatch inCall = new CountDownLatch(1);
        CountDownLatch callMayReturn = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        AtomicReference<String> returned = new AtomicReference<>();
        AtomicReference<String> outcome = new AtomicReference<>();
        AtomicReference<Thread> runner = new AtomicReference<>();
        List<TaskHandle> handles = submitAll(pool, List.of(new PoolTask() {
            @Override
            public void run(TaskContext context) {
                runner.set(Thread.currentThread());
                try {
                    context.checkpoint();
                    returned.set(context.blocking(() -> {
                        inCall.countDown();
                        callMayReturn.await();
                        return "reserved";
                    }));
                    context.checkpoint();
                    outcome.set("ran on");
                } catch (TaskCancelledException e) {
                    outcome.set("cancelled");
                } catch (IOException e) {
                    outcome.set("failed: " + e);
                } finally {
                    ended.countDown();
                }
            }

            @Override
            public void discarded() {
            }
        }));
        await(inCall);
        token.acquire(false); // this thread keeps the token: the task's call returns, but it cannot take it back
        try {
            callMayReturn.countDown();
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> token.waitingTasks() == 1);
            handles.get(0).cancel(); // interrupts the task while it waits for the token
            // the wait has taken the interrupt (its flag is clear again) before the token is free: the cancel is
            // seen in the wait, the case where a result could be lost
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !runner.get().isInterrupted());
        } finally {
            token.release(false);
        }
        await(ended);
        assertEquals("reserved", returned.get(), "the call's result reached the task");
        assertEquals("cancelled", outcome.get(), "the cancel was seen at the next checkpoint");
    }

    @Test
    void aTaskWaitingForTheTokenCanBeCancelledAndFailuresReleaseIt() throws Exception {
        gilPool(2, 1);
        GilToken token = model.interpreters().get(0).token();
        // the holder takes the token and keeps it without reaching a checkpoint, like a long call into C
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        CountDownLatch holderEnded = new CountDownLatch(1);
        submitAll(pool, List.of(new PoolTask() {
            @Override
            public void run(TaskContext context) {
                context.checkpoint();
                holding.countDown();
                try {
                    letGo.await();
                } catch (InterruptedException e) {
                    failures.record(e);
                } finally {
                    holderEnded.countDown();
                }
            }

            @Override
            public void discarded() {
            }
        }));
        await(holding);
        CountDownLatch waiterEnded = new CountDownLatch(1);
        AtomicReference<String> waiterOutcome = new AtomicReference<>();
        List<TaskHandle> waiter = submitAll(pool, List.of(new PoolTask() {
            @Override
            public void run(TaskContext context) {
                try {
                    context.checkpoint();
                    waiterOutcome.set("ran");
                } catch (TaskCancelledException e) {
                    waiterOutcome.set("cancelled");
                } finally {
                    waiterEnded.countDown();
                }
            }

            @Override
            public void discarded() {
                waiterOutcome.set("discarded");
                waiterEnded.countDown();
            }
        }));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> token.waitingTasks() == 1); // the second task waits
        waiter.get(0).cancel();
        await(waiterEnded);
        assertEquals("cancelled", waiterOutcome.get());
        assertEquals(0, token.waitingTasks());
        letGo.countDown();
        await(holderEnded);
        // a failing task must give the token back too
        CountDownLatch failed = new CountDownLatch(1);
        submitAll(pool, List.of(new PoolTask() {
            @Override
            public void run(TaskContext context) {
                try {
                    context.checkpoint();
                    throw new IllegalStateException("boom");
                } catch (IllegalStateException expected) {
                    failed.countDown();
                }
            }

            @Override
            public void discarded() {
            }
        }));
        await(failed);
        CountDownLatch acquired = new CountDownLatch(1);
        Thread.ofPlatform().start(() -> {
            try {
                token.acquire(true);
                token.release(false);
                acquired.countDown();
            } catch (InterruptedException e) {
                failures.record(e);
            }
        });
        await(acquired);
    }

    @Test
    void blockingCallsReleaseTheToken() throws Exception {
        gilPool(2, 1);
        GilToken token = model.interpreters().get(0).token();
        CountDownLatch inBlocking = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        AtomicBoolean heldDuringWait = new AtomicBoolean(true);
        AtomicBoolean heldAfter = new AtomicBoolean();
        CountDownLatch ended = new CountDownLatch(1);
        submitAll(pool, List.of(new PoolTask() {
            @Override
            public void run(TaskContext context) {
                try {
                    context.checkpoint();
                    context.blocking(() -> {
                        heldDuringWait.set(token.heldByCurrentThread());
                        inBlocking.countDown();
                        leave.await();
                        return null;
                    });
                    heldAfter.set(token.heldByCurrentThread());
                } catch (Exception e) {
                    failures.record(e);
                } finally {
                    ended.countDown();
                }
            }

            @Override
            public void discarded() {
            }
        }));
        await(inBlocking);
        assertFalse(heldDuringWait.get(), "the token is released around a blocking wait");
        GilToken.Acquisition meanwhile = token.acquire(true); // free for others while the task waits
        token.release(false);
        assertTrue(meanwhile.waitNanos() < token.intervalNanos(), "taken at once, without a switch interval's wait: "
                + meanwhile.waitNanos() + " ns");
        leave.countDown();
        await(ended);
        assertTrue(heldAfter.get(), "the token is taken again after the wait");
    }

    @Test
    void tasksAreSpreadOverInterpreters() throws Exception {
        gilPool(4, 2);
        AtomicBoolean stop = new AtomicBoolean();
        List<Spinner> spinners = List.of(new Spinner(stop, null, new AtomicInteger()), new Spinner(stop, null, new AtomicInteger()));
        submitAll(pool, spinners);
        for (Spinner spinner : spinners) {
            await(spinner.started);
        }
        assertEquals(1, model.interpreters().get(0).boundTasks().get());
        assertEquals(1, model.interpreters().get(1).boundTasks().get());
        stop.set(true);
        for (Spinner spinner : spinners) {
            await(spinner.ended);
        }
    }

    @Test
    void theSwitchIntervalChangesLive() {
        gilPool(1, 2);
        assertTrue(model.setSwitchInterval(Duration.ofMillis(1)));
        assertEquals(Duration.ofMillis(1), model.switchInterval());
        @SuppressWarnings("unchecked")
        Map<String, Object> gil = (Map<String, Object>) model.describe().get("gil");
        assertEquals(1.0, model.describe().get("switchIntervalMs"));
        assertTrue(gil.containsKey("probeLagMs"));
    }
}
