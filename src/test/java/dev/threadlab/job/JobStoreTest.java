package dev.threadlab.job;

import dev.threadlab.testing.EngineFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.threadlab.testing.EngineFixture.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobStoreTest {

    @TempDir
    Path tempDir;

    /** Finished jobs from a real engine, oldest first. */
    private List<Job> finishedJobs(int count) throws Exception {
        List<Job> jobs = new ArrayList<>();
        try (EngineFixture fixture = new EngineFixture(tempDir, 100, 100)) {
            for (int i = 0; i < count; i++) {
                Job job = fixture.submit("cpu", null, 1, Map.of("iterations", 1));
                join(job);
                jobs.add(job);
            }
        }
        return jobs;
    }

    private record Stored(JobStore store, List<Job> jobs) {
    }

    /** A store that was told of {@code count} jobs, accepted and then finished in order. */
    private Stored finishedInStore(Duration retention, int maxRetained, int count) throws Exception {
        JobStore store = new JobStore(retention, maxRetained);
        List<Job> jobs = finishedJobs(count);
        jobs.forEach(store::add);
        jobs.forEach(store::retain);
        return new Stored(store, jobs);
    }

    @Test
    void aFinishEvictsTheOldestBeyondTheCountAtOnce() throws Exception {
        Stored stored = finishedInStore(Duration.ofHours(1), 2, 3);
        JobStore store = stored.store();
        List<Job> jobs = stored.jobs();
        assertEquals(2, store.finishedRetained());
        assertTrue(store.get(jobs.get(0).id()).isEmpty(), "the oldest went first");
        assertTrue(store.get(jobs.get(2).id()).isPresent());
    }

    @Test
    void housekeepingEvictsWhatOutlivedTheRetentionTime() throws Exception {
        JobStore store = finishedInStore(Duration.ofMinutes(1), 100, 2).store();
        assertEquals(2, store.finishedRetained(), "a finish enforces only the count");
        store.evict(Instant.now());
        assertEquals(2, store.finishedRetained(), "not old enough yet");
        store.evict(Instant.now().plus(Duration.ofMinutes(2)));
        assertEquals(0, store.finishedRetained());
        assertEquals(0, store.size());
    }

    @Test
    void listsTheNewestFirstUpToTheLimit() throws Exception {
        JobStore store = new JobStore(Duration.ofHours(1), 100);
        List<Job> jobs = finishedJobs(5);
        List.of(jobs.get(3), jobs.get(0), jobs.get(4), jobs.get(2), jobs.get(1)).forEach(store::add);
        assertEquals(List.of(jobs.get(4), jobs.get(3), jobs.get(2)), store.list(job -> true, 3));
        assertEquals(List.of(jobs.get(4), jobs.get(2), jobs.get(0)),
                store.list(job -> jobs.indexOf(job) % 2 == 0, 10), "filtered, then limited");
    }
}
