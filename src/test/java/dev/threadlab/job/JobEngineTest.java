package dev.threadlab.job;

import dev.threadlab.input.InvalidInputException;
import dev.threadlab.pool.PoolSaturatedException;
import dev.threadlab.testing.EngineFixture;
import dev.threadlab.workload.CpuKernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.threadlab.testing.EngineFixture.awaitTrue;
import static dev.threadlab.testing.EngineFixture.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobEngineTest {

    @TempDir
    Path tempDir;
    EngineFixture fixture;

    @BeforeEach
    void start() {
        fixture = new EngineFixture(tempDir, 10_000, 100);
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void fansOutAndJoinsAllTasks() throws Exception {
        Job job = fixture.submit("cpu", null, 4, Map.of("iterations", 200_000));
        JobView view = join(job);
        assertEquals(JobState.SUCCEEDED, view.state());
        assertTrue(view.done());
        assertEquals(4, view.progress().tasksDone());
        assertEquals("cpu", view.pool(), "cpu runs on its default pool");
        assertEquals(CpuKernel.hex(CpuKernel.checksum(200_000)), view.result().get("checksum"));
        assertEquals(true, view.result().get("checksumsAgree"));
        assertNotNull(view.startedAt());
        assertNotNull(view.finishedAt());
        assertNotNull(view.timings().cpuMs(), "platform threads measure CPU time");
        assertEquals(200_000L, view.params().get("iterations"));
        assertEquals(0.0, view.params().get("failProbability"), "defaults are filled in");
    }

    @Test
    void goesFromQueuedToRunningToSucceeded() throws Exception {
        Job blocker = fixture.submit("io", "cpu", 2, Map.of("durationMs", 60_000));
        Job queued = fixture.submit("cpu", "cpu", 1, Map.of("iterations", 1));
        awaitTrue(() -> blocker.state() == JobState.RUNNING);
        assertEquals(JobState.QUEUED, queued.state(), "both cpu threads are busy");
        assertNull(queued.view().startedAt());
        Instant freed = Instant.now();
        fixture.engine.cancel(blocker.id());
        assertEquals(JobState.SUCCEEDED, join(queued).state());
        assertFalse(queued.view().startedAt().isBefore(freed), "it started only when a thread was free");
    }

    @Test
    void failsIfAnyTaskFailsButStillJoinsThemAll() throws Exception {
        Job job = fixture.submit("cpu", null, 8, Map.of("iterations", 1000, "failProbability", 1.0));
        JobView view = join(job);
        assertEquals(JobState.FAILED, view.state());
        assertEquals(8, view.progress().tasksDone());
        assertEquals(8, view.progress().tasksFailed());
        assertTrue(view.error().get("detail").toString().contains("injected failure"));
    }

    @Test
    void cancelDropsQueuedTasksAndStopsRunningOnes() throws Exception {
        Job job = fixture.submit("cpu", "cpu", 5, Map.of("iterations", 10_000_000_000L));
        awaitTrue(() -> job.view().progress().tasksDone() == 0 && job.state() == JobState.RUNNING);
        fixture.engine.cancel(job.id());
        assertEquals(JobState.CANCELLED, job.state());
        awaitTrue(() -> job.view().progress().tasksDone() == 5);
        JobView view = job.view();
        assertEquals("client", view.cancelReason());
        assertEquals(5, view.progress().tasksCancelled());
        awaitTrue(() -> fixture.pools.find("cpu").orElseThrow().heldTasks() == 0); // every slot is free again
        JobEndedException again = assertThrows(JobEndedException.class, () -> fixture.engine.cancel(job.id()));
        assertEquals(JobState.CANCELLED, again.state());
    }

    @Test
    void aDeadlineEndsTheJobTimedOut() throws Exception {
        Job job = fixture.engine.submit(new JobRequest("io", null, 3, Map.of("durationMs", 60_000), 50));
        JobView view = join(job);
        assertEquals(JobState.TIMED_OUT, view.state());
        assertEquals("timeout", view.cancelReason());
        awaitTrue(() -> job.view().progress().tasksDone() == 3);
    }

    @Test
    void rejectsAJobWholeWhenItsPoolIsFull() throws Exception {
        fixture.submit("io", "cpu", 100, Map.of("durationMs", 60_000)); // 2 running + 98 queued of 102
        PoolSaturatedException rejected = assertThrows(PoolSaturatedException.class,
                () -> fixture.submit("cpu", "cpu", 5, Map.of("iterations", 1)));
        assertEquals(100, rejected.held());
        assertEquals(1, fixture.engine.accounts().counts("cpu").rejected());
        assertEquals(1, fixture.engine.list(job -> true, 10).size(), "the rejected job is not kept");
        assertEquals(100, fixture.pools.find("cpu").orElseThrow().heldTasks());
        fixture.submit("cpu", "cpu", 2, Map.of("iterations", 1)); // fits exactly
    }

    @Test
    void validatesEveryField() {
        assertEquals("workload", field(() -> fixture.submit("nope", null, 1, Map.of())));
        assertEquals("pool", field(() -> fixture.submit("cpu", "nope", 1, Map.of())));
        assertEquals("tasks", field(() -> fixture.submit("cpu", null, 0, Map.of())));
        assertEquals("tasks", field(() -> fixture.submit("cpu", null, 257, Map.of())));
        assertEquals("params.iterations", field(() -> fixture.submit("cpu", null, 1, Map.of("iterations", -1))));
        assertEquals("params.sync", field(() -> fixture.submit("counter", null, 1, Map.of("sync", "maybe"))));
        assertEquals("params.failProbability", field(() -> fixture.submit("cpu", null, 1, Map.of("failProbability", 1.5))));
        assertEquals("params.bogus", field(() -> fixture.submit("cpu", null, 1, Map.of("bogus", 1))));
        assertEquals("timeoutMs", field(() -> fixture.engine.submit(new JobRequest("cpu", null, 1, null, 0))));
    }

    private static String field(Runnable submit) {
        return assertThrows(InvalidInputException.class, submit::run).field();
    }

    @Test
    void retainsAtMostTheConfiguredNumberOfFinishedJobs() throws Exception {
        try (EngineFixture small = new EngineFixture(tempDir.resolve("small"), 5, 100)) {
            Job first = small.submit("cpu", null, 1, Map.of("iterations", 1));
            join(first);
            for (int i = 0; i < 20; i++) {
                join(small.submit("cpu", null, 1, Map.of("iterations", 1)));
            }
            awaitTrue(() -> small.engine.retainedFinished() <= 5);
            assertEquals(5, small.engine.list(job -> true, 100).size());
            JobNotFoundException gone = assertThrows(JobNotFoundException.class, () -> small.engine.get(first.id()));
            assertTrue(gone.ownerInstance().isEmpty(), "it was this instance's job");
        }
    }

    @Test
    void listsNewestFirstWithFilters() throws Exception {
        Job a = fixture.submit("cpu", null, 1, Map.of("iterations", 1));
        Job b = fixture.submit("io", null, 1, Map.of("durationMs", 0));
        join(a);
        join(b);
        assertEquals(b.id(), fixture.engine.list(job -> true, 10).get(0).id());
        assertEquals(1, fixture.engine.list(job -> job.workload().equals("cpu"), 10).size());
        assertEquals(1, fixture.engine.list(job -> true, 1).size());
    }

    @Test
    void idsAreRandomAndCarryTheInstance() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String id = fixture.submit("io", null, 1, Map.of("durationMs", 0)).id();
            assertTrue(id.matches("test-[a-z2-9]{16}"), id);
            ids.add(id);
        }
        assertEquals(200, ids.size());
        JobNotFoundException other = assertThrows(JobNotFoundException.class, () -> fixture.engine.get("abcd-aaaaaaaaaaaaaaaa"));
        assertEquals("abcd", other.ownerInstance().orElseThrow());
        assertTrue(other.getMessage().contains("belongs to instance 'abcd'"), other.getMessage());
    }

    @Test
    void waitsForAnyAndAll() throws Exception {
        Job quick = fixture.submit("cpu", null, 1, Map.of("iterations", 1));
        Job slow = fixture.submit("io", null, 1, Map.of("durationMs", 60_000));
        assertTrue(JobEngine.whenDone(List.of(quick, slow), false).await(Duration.ofSeconds(20)));
        assertTrue(quick.state().terminal());
        assertFalse(JobEngine.whenDone(List.of(quick, slow), true).isDone());
        fixture.engine.cancel(slow.id());
        assertTrue(JobEngine.whenDone(List.of(quick, slow), true).isDone());
    }

    @Test
    void closeCancelsUnfinishedJobsWithReasonShutdown() throws Exception {
        Job running = fixture.submit("io", null, 2, Map.of("durationMs", 60_000));
        fixture.engine.close();
        assertEquals(JobState.CANCELLED, running.state());
        assertEquals("shutdown", running.view().cancelReason());
    }
}
