package dev.threadlab.gil;

import dev.threadlab.testing.TaskFailures;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The token alone, synchronised with latches and state polling, never with sleeps that decide an outcome. */
class GilTokenTest {

    /** The competing threads are not the test's own: what fails there is recorded and asserted here. */
    private final TaskFailures failures = new TaskFailures();

    @AfterEach
    void noThreadFailed() {
        failures.assertNone();
    }

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertTrue(latch.await(10, TimeUnit.SECONDS), "timed out");
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofNanos(100_000))
                .until(condition::getAsBoolean);
    }

    @Test
    void aFreeTokenIsTakenAtOnceAndMayBeTakenBackByTheSameThread() throws Exception {
        GilToken token = new GilToken(5 * MS);
        GilToken.Acquisition first = token.acquire(true);
        assertTrue(first.switched());
        assertTrue(token.heldByCurrentThread());
        token.release(false);
        GilToken.Acquisition again = token.acquire(true);
        assertFalse(again.switched(), "the same thread taking it back is no switch");
        token.release(false);
        GilCounters counters = token.counters();
        assertEquals(1, counters.switches());
        assertEquals(2, counters.voluntaryReleases());
        assertEquals(0, counters.forcedReleases());
    }

    @Test
    void aWaiterRequestsADropAndAForcedReleaseWaitsUntilItTookTheToken() throws Exception {
        GilToken token = new GilToken(MS);
        token.acquire(true);
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch releaseB = new CountDownLatch(1);
        Thread b = Thread.ofPlatform().start(() -> {
            try {
                GilToken.Acquisition acquisition = token.acquire(true);
                assertTrue(acquisition.switched());
                taken.countDown();
                releaseB.await();
                token.release(false);
            } catch (InterruptedException e) {
                failures.record(e);
            }
        });
        awaitTrue(token::dropRequested); // B waited one interval with no switch
        assertEquals(1, token.waitingTasks());
        token.release(true);
        // FORCE_SWITCHING: release(true) returns only once another thread holds the token
        assertEquals(2, token.counters().switches());
        assertFalse(token.dropRequested());
        await(taken);
        assertEquals(1, token.counters().forcedReleases());
        releaseB.countDown();
        b.join();
    }

    @Test
    void noDropIsRequestedWhenTheTokenChangedHandsDuringTheWait() throws Exception {
        GilToken token = new GilToken(TimeUnit.SECONDS.toNanos(30));
        token.acquire(true);
        CountDownLatch bHas = new CountDownLatch(1);
        Thread b = Thread.ofPlatform().start(() -> {
            try {
                token.acquire(true);
                bHas.countDown();
                token.release(false);
            } catch (InterruptedException e) {
                failures.record(e);
            }
        });
        awaitTrue(() -> token.waitingTasks() == 1);
        token.release(false); // voluntary: no waiting, B takes it when it wakes
        await(bHas);
        b.join();
        assertFalse(token.dropRequested(), "the interval never ran out");
    }

    @Test
    void cancellingAWaiterLeavesTheTokenConsistent() throws Exception {
        GilToken token = new GilToken(MS);
        token.acquire(true);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                token.acquire(true);
                outcome.set(new AssertionError("acquired although cancelled"));
            } catch (InterruptedException expected) {
                outcome.set(expected);
            }
        });
        awaitTrue(() -> token.waitingTasks() == 1);
        waiter.interrupt();
        waiter.join(10_000);
        assertTrue(outcome.get() instanceof InterruptedException, String.valueOf(outcome.get()));
        assertEquals(0, token.waitingTasks());
        assertTrue(token.heldByCurrentThread(), "the holder keeps the token");
        token.release(true); // nobody is left to take it: the forced wait must not hang
        CountDownLatch other = new CountDownLatch(1);
        Thread.ofPlatform().start(() -> {
            try {
                token.acquire(true);
                token.release(false);
                other.countDown();
            } catch (InterruptedException e) {
                failures.record(e);
            }
        });
        await(other);
    }

    @Test
    void theProbeLeavesTaskTimesAndReleasesUntouched() throws Exception {
        GilToken token = new GilToken(5 * MS);
        token.acquire(false);
        token.release(false);
        GilCounters counters = token.counters();
        assertEquals(1, counters.switches(), "the token came to a thread: a switch, whoever takes it");
        assertEquals(0, counters.voluntaryReleases());
        assertEquals(0, counters.heldNanos());
    }

    /**
     * A task forced to drop the token for the probe, then taking it back: two switches, one of them forced. Forced
     * switches are counted at the switch, so there are never more of them than switches.
     */
    @Test
    void forcedSwitchesAreASubsetOfSwitches() throws Exception {
        GilToken token = new GilToken(MS);
        token.acquire(true); // this thread is the task
        CountDownLatch probeDone = new CountDownLatch(1);
        Thread probe = Thread.ofPlatform().start(() -> {
            try {
                token.acquire(false);
                token.release(false);
                probeDone.countDown();
            } catch (InterruptedException e) {
                failures.record(e);
            }
        });
        awaitTrue(token::dropRequested);
        token.release(true); // honours the drop request and waits until the probe took it
        await(probeDone);
        token.acquire(true);
        token.release(false);
        probe.join(10_000);
        GilCounters counters = token.counters();
        assertEquals(3, counters.switches(), "to the task, to the probe, back to the task");
        assertEquals(1, counters.forcedSwitches());
        assertEquals(1, counters.forcedReleases());
        assertEquals(1, counters.voluntaryReleases());
        assertTrue(counters.forcedSwitches() <= counters.switches());
    }

    /**
     * Many threads compete as CPU-bound and I/O-bound tasks do, honouring drop requests, while the interval is
     * changed under them: at most one holder at any moment, nobody deadlocks, every loop completes.
     */
    @Test
    void atMostOneHolderUnderStressWithLiveIntervalChanges() throws Exception {
        GilToken token = new GilToken(MS / 2);
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            boolean cpuBound = t % 2 == 0;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 300; i++) {
                        token.acquire(true);
                        if (holders.incrementAndGet() != 1) {
                            violations.incrementAndGet();
                        }
                        long until = System.nanoTime() + (cpuBound ? 200_000 : 10_000);
                        boolean forced = false;
                        while (System.nanoTime() < until && !forced) {
                            forced = token.dropRequested();
                        }
                        holders.decrementAndGet();
                        token.release(forced);
                    }
                    done.incrementAndGet();
                } catch (InterruptedException e) {
                    failures.record(e);
                }
            }));
        }
        Thread changer = Thread.ofPlatform().start(() -> {
            long[] intervals = {MS / 10, MS, MS / 4, 2 * MS};
            for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                token.setIntervalNanos(intervals[i % intervals.length]);
                Thread.onSpinWait();
            }
        });
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(thread.isAlive(), "a thread is stuck: deadlock");
        }
        changer.interrupt();
        changer.join();
        assertEquals(0, violations.get(), "two threads held the token at once");
        assertEquals(8, done.get());
        GilCounters counters = token.counters();
        assertEquals(8 * 300, counters.forcedReleases() + counters.voluntaryReleases());
        assertTrue(counters.forcedReleases() > 0, "CPU-bound holders were asked to drop");
    }
}
