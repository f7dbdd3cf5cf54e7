package dev.threadlab.pool;

import dev.threadlab.testing.TaskFailures;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

import static dev.threadlab.testing.PoolTasks.submitAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolTest {

    /** Tasks run on pool threads: what fails there is recorded and asserted on the test thread. */
    private static final TaskFailures FAILURES = new TaskFailures();
    private final List<Pool> pools = new ArrayList<>();

    @AfterEach
    void shutDown() throws InterruptedException {
        for (Pool pool : pools) {
            pool.shutdown(Duration.ofSeconds(5));
        }
        FAILURES.assertNone();
    }

    private Pool platform(int threads, int queue) {
        Pool pool = Pool.platform("test", new PoolSettings(threads, queue), ExecutionModel.PLAIN, HandOff.IMMEDIATE);
        pools.add(pool);
        return pool;
    }

    private Pool virtual(int concurrency, int queue) {
        Pool pool = Pool.virtual("vtest", new PoolSettings(concurrency, queue), HandOff.IMMEDIATE);
        pools.add(pool);
        return pool;
    }

    /** A task that signals when it starts, then blocks until released (or cancelled). */
    static final class GateTask implements PoolTask {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release;
        final CountDownLatch ended = new CountDownLatch(1);
        volatile boolean cancelled;
        volatile boolean discarded;
        volatile boolean interruptedAtStart;

        GateTask(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public void run(TaskContext context) {
            interruptedAtStart = Thread.currentThread().isInterrupted();
            started.countDown();
            try {
                context.blocking(() -> {
                    release.await();
                    return null;
                });
            } catch (TaskCancelledException e) {
                cancelled = true;
            } catch (Exception e) {
                FAILURES.record(e);
            } finally {
                ended.countDown();
            }
        }

        @Override
        public void discarded() {
            discarded = true;
            ended.countDown();
        }
    }

    private static List<GateTask> gates(int count, CountDownLatch release) {
        List<GateTask> tasks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tasks.add(new GateTask(release));
        }
        return tasks;
    }

    /** A task that notes how many of its kind run at once, stays busy for a moment, and counts itself done. */
    static final class ConcurrencyProbe implements PoolTask {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxSeen = new AtomicInteger();
        final CountDownLatch done;
        private final Runnable busy;

        ConcurrencyProbe(int runs, Runnable busy) {
            this.done = new CountDownLatch(runs);
            this.busy = busy;
        }

        @Override
        public void run(TaskContext context) {
            maxSeen.accumulateAndGet(running.incrementAndGet(), Math::max);
            busy.run();
            running.decrementAndGet();
            done.countDown();
        }

        @Override
        public void discarded() {
            done.countDown();
        }
    }

    /** Submits {@code count} gate tasks as one job and waits until the first {@code started} of them run. */
    private static List<GateTask> submitGates(Pool pool, int count, int started, CountDownLatch release)
            throws InterruptedException {
        List<GateTask> tasks = gates(count, release);
        submitAll(pool, tasks);
        for (int i = 0; i < started; i++) {
            await(tasks.get(i).started);
        }
        return tasks;
    }

    /** Slots are released (and completions counted) just after a task's body returns, so wait for that. */
    private static void awaitAllReleased(Pool pool) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pool.heldTasks() == 0);
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertTrue(latch.await(10, TimeUnit.SECONDS), "timed out waiting");
    }

    @Test
    void aDeferredHandOffStartsQueuedTasksWhenItRunsOnceForAWholeBurst() throws Exception {
        List<Runnable> deferred = new ArrayList<>();
        Pool pool = Pool.platform("deferred", new PoolSettings(2, 10), ExecutionModel.PLAIN, deferred::add);
        pools.add(pool);
        CountDownLatch release = new CountDownLatch(1);
        List<GateTask> first = gates(1, release);
        List<GateTask> second = gates(1, release);
        submitAll(pool, first);
        submitAll(pool, second);
        assertEquals(2, pool.stats().queuedTasks(), "accepted, and held until the hand-over");
        assertEquals(0, pool.stats().activeTasks());
        assertEquals(1, first.get(0).started.getCount());
        deferred.getFirst().run(); // one hand-over starts the whole burst
        await(first.get(0).started);
        await(second.get(0).started);
        release.countDown();
        await(first.get(0).ended);
        await(second.get(0).ended);
        awaitAllReleased(pool);
    }

    @Test
    void runsAtMostConcurrencyTasksAndQueuesTheRest() throws Exception {
        Pool pool = platform(2, 10);
        CountDownLatch release = new CountDownLatch(1);
        List<GateTask> tasks = submitGates(pool, 5, 2, release);
        PoolStats stats = pool.stats();
        assertEquals(2, stats.activeTasks());
        assertEquals(3, stats.queuedTasks());
        assertEquals(1, tasks.get(2).started.getCount(), "third task must wait for a thread");
        release.countDown();
        for (GateTask task : tasks) {
            await(task.ended);
        }
        awaitAllReleased(pool);
    }

    @Test
    void admitsAJobWholeOrNotAtAll() throws Exception {
        Pool pool = platform(1, 2);
        CountDownLatch release = new CountDownLatch(1);
        submitAll(pool, gates(2, release));
        PoolSaturatedException rejected = assertThrows(PoolSaturatedException.class, () -> submitAll(pool, gates(2, release)));
        assertEquals(2, rejected.held());
        assertEquals(3, rejected.capacity());
        assertTrue(rejected.retryAfterSeconds() >= 1);
        assertEquals(2, pool.heldTasks(), "a rejected job must not hold any slot");
        assertEquals(1, pool.stats().rejectedJobs());
        submitAll(pool, gates(1, release)); // exactly fills capacity 3
        release.countDown();
    }

    @Test
    void cancellingAQueuedTaskDiscardsItAndFreesItsSlot() throws Exception {
        Pool pool = platform(1, 5);
        CountDownLatch release = new CountDownLatch(1);
        List<GateTask> tasks = gates(3, release);
        List<TaskHandle> handles = submitAll(pool, tasks);
        await(tasks.get(0).started);
        handles.get(2).cancel();
        assertTrue(tasks.get(2).discarded);
        assertEquals(2, pool.heldTasks());
        release.countDown();
        await(tasks.get(1).ended);
        assertFalse(tasks.get(1).cancelled);
    }

    @Test
    void cancellingARunningTaskInterruptsItWithoutLeakingTheInterruptToTheNextTask() throws Exception {
        Pool pool = platform(1, 5);
        CountDownLatch never = new CountDownLatch(1);
        List<GateTask> first = gates(1, never);
        List<TaskHandle> handles = submitAll(pool, first);
        await(first.get(0).started);
        handles.get(0).cancel();
        await(first.get(0).ended);
        assertTrue(first.get(0).cancelled);
        for (int i = 0; i < 50; i++) {
            CountDownLatch open = new CountDownLatch(0);
            List<GateTask> next = gates(1, open);
            List<TaskHandle> nextHandles = submitAll(pool, next);
            nextHandles.get(0).cancel(); // races with the task's end; must never reach the task after
            await(next.get(0).ended);
        }
        List<GateTask> last = gates(1, new CountDownLatch(0));
        submitAll(pool, last);
        await(last.get(0).ended);
        assertFalse(last.get(0).interruptedAtStart, "an interrupt meant for an earlier task leaked");
        assertFalse(last.get(0).cancelled);
    }

    @Test
    void virtualPoolRunsThousandsOfBlockingTasksUpToItsLimit() throws Exception {
        Pool pool = virtual(1000, 1000);
        CountDownLatch release = new CountDownLatch(1);
        List<GateTask> tasks = gates(2000, release);
        submitAll(pool, tasks);
        for (int i = 0; i < 1000; i++) {
            await(tasks.get(i).started);
        }
        assertEquals(1000, pool.stats().activeTasks());
        assertEquals(1000, pool.stats().queuedTasks());
        release.countDown();
        for (GateTask task : tasks) {
            await(task.ended);
        }
        awaitAllReleased(pool);
        assertEquals(2000, pool.stats().completedTasks());
    }

    /** Thousands of queued tasks cancelled cost constant time each, free their slots, and leave the queue working. */
    @Test
    void manyCancelledQueuedTasksAreSkippedAndPurged() throws Exception {
        Pool pool = platform(1, 5000);
        CountDownLatch release = new CountDownLatch(1);
        List<GateTask> blocker = submitGates(pool, 1, 1, release);
        List<GateTask> queued = gates(4000, release);
        List<TaskHandle> handles = submitAll(pool, queued);
        handles.forEach(TaskHandle::cancel);
        assertEquals(1, pool.heldTasks(), "every cancelled task freed its slot");
        assertTrue(queued.stream().allMatch(task -> task.discarded));
        List<GateTask> after = gates(3, release);
        submitAll(pool, after);
        release.countDown();
        for (GateTask task : after) {
            await(task.ended);
        }
        await(blocker.get(0).ended);
        awaitAllReleased(pool);
        assertEquals(4, pool.stats().completedTasks(), "only the blocker and the three after it ran");
    }

    @Test
    void raisingThreadsLiveStartsQueuedTasks() throws Exception {
        Pool pool = platform(1, 10);
        CountDownLatch release = new CountDownLatch(1);
        List<GateTask> tasks = gates(3, release);
        submitAll(pool, tasks);
        await(tasks.get(0).started);
        pool.reconfigure(current -> new PoolSettings(3, 10), null);
        await(tasks.get(1).started);
        await(tasks.get(2).started);
        assertEquals(3, pool.stats().threads());
        pool.reconfigure(current -> new PoolSettings(1, 10), null);
        release.countDown();
        for (GateTask task : tasks) {
            await(task.ended);
        }
    }

    @Test
    void aLoweredLimitHoldsForTheTasksStillQueued() throws Exception {
        Pool pool = platform(2, 10);
        CountDownLatch release = new CountDownLatch(1);
        submitGates(pool, 2, 2, release);
        ConcurrencyProbe probe = new ConcurrencyProbe(4, () -> {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        submitAll(pool, List.of(probe, probe, probe, probe));
        pool.reconfigure(current -> new PoolSettings(1, 10), null);
        release.countDown(); // both threads end a task; only one slot is left for the queued ones
        await(probe.done);
        assertEquals(1, probe.maxSeen.get(), "queued tasks ran " + probe.maxSeen.get() + " at once under a limit of 1");
        awaitAllReleased(pool);
        assertEquals(6, pool.stats().completedTasks());
    }

    /** Two PATCHes of different fields at the same moment both land: each change applies to the settings of its moment. */
    @Test
    void concurrentChangesOfDifferentFieldsBothLand() throws Exception {
        Pool pool = platform(1, 10);
        int rounds = 500;
        List<String> lost = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger round = new AtomicInteger();
        CyclicBarrier together = new CyclicBarrier(2);
        CyclicBarrier done = new CyclicBarrier(2, () -> {
            int r = round.getAndIncrement();
            PoolSettings now = pool.settings();
            if (now.concurrency() != 1 + r % 2 || now.queueCapacity() != 100 + r) {
                lost.add("round " + r + ": " + now);
            }
        });
        Thread threads = Thread.ofPlatform().start(() -> changeEveryRound(rounds, together, done,
                r -> new PoolUpdate(1 + r % 2, null, null, null).applyTo(pool)));
        Thread queue = Thread.ofPlatform().start(() -> changeEveryRound(rounds, together, done,
                r -> new PoolUpdate(null, null, 100 + r, null).applyTo(pool)));
        threads.join(TimeUnit.SECONDS.toMillis(60));
        queue.join(TimeUnit.SECONDS.toMillis(60));
        assertEquals(rounds, round.get(), "every round ran");
        assertEquals(List.of(), lost, "a change was lost");
    }

    private static void changeEveryRound(int rounds, CyclicBarrier together, CyclicBarrier done, IntConsumer change) {
        try {
            for (int r = 0; r < rounds; r++) {
                together.await(10, TimeUnit.SECONDS);
                change.accept(r);
                done.await(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
            FAILURES.record(e);
        }
    }

    @Test
    void shutdownDiscardsQueuedAndInterruptsRunningTasksAndRefusesNewOnes() throws Exception {
        Pool pool = platform(1, 10);
        List<GateTask> tasks = gates(3, new CountDownLatch(1));
        submitAll(pool, tasks);
        await(tasks.get(0).started);
        assertTrue(pool.shutdown(Duration.ofSeconds(5)));
        assertTrue(tasks.get(0).cancelled);
        assertTrue(tasks.get(1).discarded);
        assertTrue(tasks.get(2).discarded);
        assertThrows(PoolShutDownException.class, () -> submitAll(pool, gates(1, new CountDownLatch(0))));
    }

    @Test
    void neverRunsMoreThanTheLimitUnderConcurrentSubmission() throws Exception {
        Pool pool = platform(3, 10_000);
        ConcurrencyProbe probe = new ConcurrencyProbe(4 * 500, Thread::onSpinWait);
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            submitters.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 500; i++) {
                    submitAll(pool, List.of(probe));
                }
            }));
        }
        for (Thread submitter : submitters) {
            submitter.join();
        }
        await(probe.done);
        assertTrue(probe.maxSeen.get() <= 3, "ran " + probe.maxSeen.get() + " at once");
        awaitAllReleased(pool);
    }
}
