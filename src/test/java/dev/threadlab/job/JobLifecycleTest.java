package dev.threadlab.job;

import dev.threadlab.input.ParamSpec;
import dev.threadlab.input.Params;
import dev.threadlab.pool.TaskContext;
import dev.threadlab.testing.EngineFixture;
import dev.threadlab.testing.TaskFailures;
import dev.threadlab.workload.ContentionSink;
import dev.threadlab.workload.Workload;
import dev.threadlab.workload.WorkloadRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import static dev.threadlab.testing.EngineFixture.awaitTrue;
import static dev.threadlab.testing.EngineFixture.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The life of a job as one sequence: accept, start, end of tasks, stop, end of the job, exactly once each. */
class JobLifecycleTest {

    private static final ThreadLocal<Boolean> CHECKING = ThreadLocal.withInitial(() -> false);

    @TempDir
    Path tempDir;

    /** A workload whose tasks, finish and summary run test code. Thread-safe as far as the hooks are. */
    private record Hooked(String name, Consumer<TaskContext> task, Runnable finished, Runnable summary) implements Workload {
        @Override
        public String description() {
            return "a test workload";
        }

        @Override
        public String defaultPool() {
            return "cpu";
        }

        @Override
        public List<ParamSpec> params() {
            return List.of();
        }

        @Override
        public WorkloadRun start(Params params, int tasks, ContentionSink contention) {
            return new WorkloadRun() {
                @Override
                public void runTask(TaskContext context) {
                    task.accept(context);
                }

                @Override
                public void finished() {
                    Hooked.this.finished.run();
                }

                @Override
                public Map<String, Object> summary() {
                    Hooked.this.summary.run();
                    return Map.of();
                }
            };
        }
    }

    /**
     * Reads the job from another thread and waits at most 2 s for it: a read blocks while the job's lock is held,
     * so this fails when the caller holds it. (On one thread a reentrant lock would hide that.)
     */
    private static void readableFromAnotherThread(AtomicReference<Job> job, List<String> failures, String where) {
        Job current = job.get();
        if (current == null || CHECKING.get()) {
            return; // the read on the other thread calls the summary too: check once, not recursively
        }
        try {
            CompletableFuture.supplyAsync(() -> {
                CHECKING.set(true);
                try {
                    return current.view();
                } finally {
                    CHECKING.set(false);
                }
            }).get(2, TimeUnit.SECONDS);
        } catch (TimeoutException blocked) {
            failures.add(where + " ran while the job's lock was held");
        } catch (InterruptedException | ExecutionException e) {
            failures.add(where + ": " + e);
        }
    }

    @Test
    void noWorkloadCodeAndNoEventRunsWhileTheJobsLockIsHeld() throws Exception {
        AtomicReference<Job> current = new AtomicReference<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch known = new CountDownLatch(1);
        Hooked hooked = new Hooked("hooked", context -> {
            try {
                known.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, () -> readableFromAnotherThread(current, failures, "the workload's finish"),
                () -> readableFromAnotherThread(current, failures, "the workload's summary"));
        JobEvents events = new JobEvents() {
            @Override
            public void taskEnded(Job job, TaskOutcome outcome) {
                readableFromAnotherThread(current, failures, "the task-ended event");
            }

            @Override
            public void ended(Job job, JobState state, long runNanos) {
                readableFromAnotherThread(current, failures, "the job-ended event");
            }
        };
        try (EngineFixture fixture = new EngineFixture(tempDir, 100, 100, 1 << 20, events, List.of(hooked))) {
            Job job = fixture.submit("hooked", "cpu", 2, Map.of());
            current.set(job);
            known.countDown();
            assertEquals(JobState.SUCCEEDED, join(job).state());
        }
        assertEquals(List.of(), failures);
    }

    /**
     * Once its last task has ended, a job's state is decided: a cancel that comes while the workload still summarises
     * its tasks finds the job ended (SUCCEEDED), it cannot turn a finished job into a cancelled one.
     */
    @Test
    void aJobWhoseTasksAllEndedCannotBeCancelledWhileItsResultIsComputed() throws Exception {
        CountDownLatch summarising = new CountDownLatch(1);
        CountDownLatch mayFinish = new CountDownLatch(1);
        Hooked slowToSummarise = new Hooked("slow", context -> {
        }, () -> {
            summarising.countDown();
            try {
                mayFinish.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, () -> {
        });
        try (EngineFixture fixture = new EngineFixture(tempDir, 100, 100, 1 << 20, JobEvents.NONE, List.of(slowToSummarise))) {
            Job job = fixture.submit("slow", "cpu", 2, Map.of());
            assertTrue(summarising.await(10, TimeUnit.SECONDS));
            assertFalse(fixture.engine.cancel(job), "its tasks all ended: nothing left to cancel");
            mayFinish.countDown();
            JobView view = join(job);
            assertEquals(JobState.SUCCEEDED, view.state());
            assertEquals(null, view.cancelReason());
        }
    }

    @Test
    void anErrorThrownByAWorkloadStillEndsItsTaskAndFailsTheJob() throws Exception {
        Hooked throwing = new Hooked("throwing", context -> {
            throw new AssertionError("a bug in a workload");
        }, () -> {
        }, () -> {
        });
        try (EngineFixture fixture = new EngineFixture(tempDir, 100, 100, 1 << 20, JobEvents.NONE, List.of(throwing))) {
            JobView view = join(fixture.submit("throwing", "cpu", 3, Map.of()));
            assertEquals(JobState.FAILED, view.state());
            assertEquals(3, view.progress().tasksFailed());
            assertEquals("unexpected error", view.error().get("detail").toString().replaceFirst("task \\d of 3: ", ""),
                    "no class name or message of the error reaches the client");
            awaitTrue(() -> fixture.pools.find("cpu").orElseThrow().heldTasks() == 0);
        }
    }

    /** A job is accepted (counted, announced) before any of its tasks can start or end. */
    @Test
    void aJobIsAnnouncedBeforeAnyOfItsTasksStartsOrEnds() throws Exception {
        Set<String> announced = ConcurrentHashMap.newKeySet();
        List<String> outOfOrder = Collections.synchronizedList(new ArrayList<>());
        JobEvents events = new JobEvents() {
            @Override
            public void accepted(Job job) {
                announced.add(job.id());
            }

            @Override
            public void started(Job job, long queueNanos) {
                check(job, "started");
            }

            @Override
            public void taskEnded(Job job, TaskOutcome outcome) {
                check(job, "a task ended");
            }

            @Override
            public void ended(Job job, JobState state, long runNanos) {
                check(job, "ended");
            }

            private void check(Job job, String what) {
                if (!announced.contains(job.id())) {
                    outOfOrder.add(job.id() + " " + what + " before it was announced");
                }
            }
        };
        try (EngineFixture fixture = new EngineFixture(tempDir, 10_000, 10_000, 1 << 20, events, List.of())) {
            List<Job> jobs = submitFromThreads(4, 500, i -> fixture.submit("cpu", i % 2 == 0 ? "cpu" : "io", 1, Map.of("iterations", 1)));
            assertTrue(JobEngine.whenDone(jobs, true).await(Duration.ofSeconds(60)));
            JobAccounts.Counts total = fixture.engine.accounts().snapshot().get("total");
            assertEquals(new JobAccounts.Counts(2000, 2000, 0, 0, 0), total);
        }
        assertEquals(List.of(), outOfOrder);
    }

    private static List<Job> submitFromThreads(int threads, int each, java.util.function.IntFunction<Job> submit)
            throws InterruptedException {
        List<Job> jobs = Collections.synchronizedList(new ArrayList<>());
        List<Thread> submitters = new ArrayList<>();
        TaskFailures failures = new TaskFailures();
        for (int t = 0; t < threads; t++) {
            int offset = t * each;
            submitters.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < each; i++) {
                        jobs.add(submit.apply(offset + i));
                    }
                } catch (RuntimeException e) {
                    failures.record(e);
                }
            }));
        }
        for (Thread submitter : submitters) {
            submitter.join(TimeUnit.SECONDS.toMillis(60));
        }
        failures.assertNone();
        return new ArrayList<>(jobs);
    }

    /**
     * Thousands of jobs from many threads, ending every way a job can (success, failure, cancel while queued or
     * running, deadline): every id ends exactly once, and the accounts balance with nothing in flight or stalled.
     */
    @Test
    void everyAcceptedJobEndsExactlyOnceUnderStress() throws Exception {
        Map<String, AtomicInteger> ends = new ConcurrentHashMap<>();
        JobEvents events = new JobEvents() {
            @Override
            public void ended(Job job, JobState state, long runNanos) {
                ends.computeIfAbsent(job.id(), id -> new AtomicInteger()).incrementAndGet();
            }
        };
        try (EngineFixture fixture = new EngineFixture(tempDir, 100_000, 100_000, 1 << 20, events, List.of())) {
            List<Job> jobs = submitFromThreads(6, 1000, i -> {
                Job job = switch (i % 5) {
                    case 0 -> fixture.submit("cpu", "cpu", 2, Map.of("iterations", 20_000));
                    case 1 -> fixture.submit("io", "io", 3, Map.of("durationMs", 2, "failProbability", 0.5));
                    case 2 -> fixture.engine.submit(new JobRequest("io", "io", 2, Map.of("durationMs", 10_000), 5L));
                    case 3 -> fixture.submit("cpu", "gil", 2, Map.of("iterations", 50_000));
                    default -> fixture.submit("io", "cpu", 2, Map.of("durationMs", 5));
                };
                if (i % 3 == 0) {
                    try {
                        fixture.engine.cancel(job.id());
                    } catch (JobEndedException alreadyOver) {
                        // it ended first: that is an end too
                    }
                }
                return job;
            });
            assertEquals(6000, jobs.size());
            assertTrue(JobEngine.whenDone(jobs, true).await(Duration.ofSeconds(120)), "every job ends");
            awaitTrue(() -> jobs.stream().allMatch(job -> job.view().progress().tasksDone() == job.taskCount()));
            for (Job job : jobs) {
                assertTrue(fixture.engine.get(job.id()).state().terminal(), job.id());
                AtomicInteger count = ends.get(job.id());
                assertEquals(1, count == null ? 0 : count.get(), "ends of " + job.id());
            }
            assertEquals(6000, ends.size(), "no end of a job that was never accepted");
            Map<String, JobAccounts.Counts> accounts = fixture.engine.accounts().snapshot();
            assertTrue(accounts.values().stream().allMatch(JobAccounts.Counts::balanced), accounts.toString());
            assertEquals(new JobAccounts.Counts(6000, 6000, 0, 0, 0), accounts.get("total"));
            assertEquals(0, fixture.engine.unfinishedHeld());
            assertEquals(0, fixture.engine.stalled());
        }
    }

    /** Waits that end (here: time out) leave nothing attached to the job, however many come and go. */
    @Test
    void waitsThatEndDetachFromTheJob() throws Exception {
        try (EngineFixture fixture = new EngineFixture(tempDir, 100, 100)) {
            Job running = fixture.submit("io", "io", 1, Map.of("durationMs", 60_000));
            Job done = fixture.submit("cpu", "cpu", 1, Map.of("iterations", 1));
            join(done);
            for (int i = 0; i < 2000; i++) {
                assertFalse(running.completion().await(Duration.ofNanos(1)));
                assertFalse(JobEngine.whenDone(List.of(running, done), true).await(Duration.ofNanos(1)));
                assertTrue(JobEngine.whenDone(List.of(running, done), false).await(Duration.ofNanos(1)));
            }
            assertEquals(0, running.attachedWaits());
            fixture.engine.cancel(running.id());
        }
    }

    /**
     * A file task on a GIL pool that is cancelled while it takes the token back after reserving its share of the
     * disk budget still gives the share back: afterwards the whole budget is free.
     */
    @Test
    void cancelledFileTasksOnAGilPoolGiveTheirDiskBudgetBack() throws Exception {
        long budget = 16L << 20;
        try (EngineFixture fixture = new EngineFixture(tempDir, 10_000, 100, budget, JobEvents.NONE, List.of())) {
            // holds the token whenever nobody else does, so every file task waits to take it back after a call
            Job hog = fixture.submit("cpu", "gil", 1, Map.of("iterations", 10_000_000_000L));
            awaitTrue(() -> hog.state() == JobState.RUNNING);
            List<Job> files = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                Job file = fixture.submit("file", "gil", 2, Map.of("bytes", 1 << 20, "fsync", false));
                files.add(file);
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(3_000_000)); // jitter: cancel anywhere
                try {
                    fixture.engine.cancel(file.id());
                } catch (JobEndedException finishedFirst) {
                    // it wrote, verified and released before the cancel came
                }
                awaitTrue(() -> file.view().progress().tasksDone() == 2);
            }
            fixture.engine.cancel(hog.id());
            awaitTrue(() -> hog.view().progress().tasksDone() == 1);
            assertTrue(files.stream().allMatch(job -> job.state() == JobState.CANCELLED || job.state() == JobState.SUCCEEDED));
            assertEquals(budget, fixture.files.freeBytes(), "disk budget leaked by cancelled file tasks");
            assertEquals(0, fixture.files.fileCount(), "no file outlives its task");
        }
    }
}
