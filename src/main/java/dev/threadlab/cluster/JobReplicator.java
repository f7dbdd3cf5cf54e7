package dev.threadlab.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadlab.job.Job;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.JobEvents;
import dev.threadlab.job.JobState;
import dev.threadlab.job.JobView;
import dev.threadlab.job.TaskOutcome;
import dev.threadlab.problem.ProblemTypes;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes this instance's jobs to Redis as they change, so that every instance can answer for them. The events of
 * a job's life only mark it changed; one writer thread takes the changed jobs, a batch at a time, and writes each in
 * one script call (the job, its place in the indexes, unfinished or not, and on its end a message to every instance
 * waiting for it), all of a batch in one pipeline. A job that changes several times before the writer comes to it
 * is written once, as it is then: a short job is one write.
 *
 * <p>While the store is down nothing is marked (so nothing piles up); when it is back, {@link #republishAll} marks
 * every job the engine holds. A write Redis refuses because another instance declared the job lost ends the job
 * here the same way ({@link JobEngine#declareLost}).
 *
 * <p>Thread-safety: {@code changed} is a concurrent map; {@code active}, {@code republishRequested} and {@code engine}
 * are volatile, and only the writer thread sets {@code active}; only the writer thread takes from {@code changed} and
 * talks to Redis; the event methods never block.
 */
final class JobReplicator implements JobEvents, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JobReplicator.class);
    private static final int BATCH = 256;
    private static final String LOST_MARKER = "/" + Job.INSTANCE_LOST + "\"";

    private final RedisStore store;
    private final ObjectMapper json;
    private final String instance;
    private final long retentionMs;
    private final long unfinishedTtlMs;
    private final int maxRetained;
    private final ConcurrentHashMap<String, Job> changed = new ConcurrentHashMap<>();
    private final Semaphore wake = new Semaphore(0);
    private final Thread writer;
    private volatile boolean active;
    private volatile boolean republishRequested;
    private volatile boolean writing;
    private volatile boolean closed;
    private volatile JobEngine engine;

    JobReplicator(RedisStore store, ObjectMapper json, String instance, long retentionMs, long maxTimeoutMs,
                  int maxRetained) {
        this.store = store;
        this.json = json;
        this.instance = instance;
        this.retentionMs = retentionMs;
        this.unfinishedTtlMs = maxTimeoutMs + retentionMs;
        this.maxRetained = maxRetained;
        this.writer = Thread.ofPlatform().name("threadlab-store-writer").daemon(true).unstarted(this::writeLoop);
    }

    void start(JobEngine jobs) {
        this.engine = jobs;
        writer.start();
    }

    // ---- the job's life marks it changed ----------------------------------------------------------------------

    @Override
    public void accepted(Job job) {
        changed(job);
    }

    @Override
    public void started(Job job, long queueNanos) {
        changed(job);
    }

    @Override
    public void taskEnded(Job job, TaskOutcome outcome) {
        changed(job);
    }

    @Override
    public void ended(Job job, JobState state, long runNanos) {
        changed(job);
    }

    private void changed(Job job) {
        if (active && changed.putIfAbsent(job.id(), job) == null) {
            wake.release();
        }
    }

    /**
     * Has every job the engine holds written again, once the store is reachable (again): it may have lost them. The
     * writer does the marking, so that it cannot interleave with the writer dropping marks after a failure.
     */
    void republishAll() {
        republishRequested = true;
        wake.release();
    }

    /** On the writer thread: starts publishing again and marks every job the engine holds. */
    private void markAll() {
        republishRequested = false;
        active = true;
        JobEngine jobs = engine;
        if (jobs == null) {
            return;
        }
        for (Job job : jobs.list(job -> true, Integer.MAX_VALUE)) {
            changed.putIfAbsent(job.id(), job);
        }
    }

    /** Whether changes are being published (the store answered since the last failure). */
    boolean active() {
        return active;
    }

    /** Waits up to {@code timeout} for every change marked so far to be written (shutdown). */
    void flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        wake.release();
        while (active && (writing || !changed.isEmpty()) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(2_000_000);
        }
    }

    // ---- the writer ---------------------------------------------------------------------------------------------

    private void writeLoop() {
        while (!closed) {
            try {
                wake.tryAcquire(200, TimeUnit.MILLISECONDS);
                wake.drainPermits();
                if (republishRequested) {
                    markAll();
                }
                while (!changed.isEmpty() && !closed) {
                    writing = true;
                    try {
                        writeBatch(takeBatch());
                    } finally {
                        writing = false;
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (StoreUnavailableException e) {
                // the store is down: stop marking and drop what was marked; the heartbeat republishes everything
                active = false;
                changed.clear();
            } catch (RuntimeException e) {
                LOG.error("writing jobs to the store failed; they are written again when the store is next reached", e);
                active = false;
                changed.clear();
            }
        }
    }

    private List<Job> takeBatch() {
        List<Job> batch = new ArrayList<>(BATCH);
        Iterator<Job> jobs = changed.values().iterator();
        while (jobs.hasNext() && batch.size() < BATCH) {
            batch.add(jobs.next());
            jobs.remove(); // a change after this marks the job again, and it is written again with that change
        }
        return batch;
    }

    private void writeBatch(List<Job> batch) {
        List<Request> writes = new ArrayList<>(batch.size());
        List<Job> written = new ArrayList<>(batch.size());
        long now = System.currentTimeMillis();
        for (Job job : batch) {
            JobView view = job.view();
            String text;
            try {
                text = json.writeValueAsString(view);
            } catch (Exception e) {
                LOG.errorf(e, "job %s could not be written as JSON; other instances do not see its latest state", job.id());
                continue;
            }
            boolean terminal = view.state().terminal();
            writes.add(RedisStore.script(Script.WRITE_JOB,
                    List.of(Keys.job(job.id()), Keys.jobs(instance), Keys.ALL_JOBS, Keys.unfinished(instance), Keys.watch(job.id()),
                            Keys.finished(instance)),
                    job.id(), text, terminal ? 1 : 0, view.submittedAt().toEpochMilli(),
                    terminal ? retentionMs : unfinishedTtlMs, unfinishedTtlMs, maxRetained, Keys.JOB_PREFIX,
                    LOST_MARKER, Keys.TO_PREFIX, now - unfinishedTtlMs, now));
            written.add(job);
        }
        if (writes.isEmpty()) {
            return;
        }
        List<Response> answers = RedisStore.await(store.batch(writes));
        for (int i = 0; i < answers.size(); i++) {
            Response answer = answers.get(i);
            if (answer != null && answer.type() != ResponseType.NUMBER) {
                lostElsewhere(written.get(i), answer.toString());
            }
        }
    }

    /** The store holds the job as declared lost by another instance: end it here too, and say so. */
    private void lostElsewhere(Job job, String stored) {
        String detail = "declared lost by another instance";
        try {
            JsonNode error = json.readTree(stored).path("error");
            if (error.path("type").asText().equals(ProblemTypes.uri(Job.INSTANCE_LOST))) {
                detail = error.path("detail").asText(detail);
            }
        } catch (Exception e) {
            LOG.debugf("the stored lost job %s could not be read: %s", job.id(), e.getMessage());
        }
        JobEngine jobs = engine;
        if (jobs == null) {
            return;
        }
        if (jobs.declareLost(job, detail)) {
            LOG.warnf("job %s was declared lost by another instance while this one was unreachable (%s); it is cancelled here",
                    job.id(), detail);
        } else {
            LOG.warnf("job %s ended here as %s after another instance had declared it lost (%s); the cluster keeps it FAILED",
                    job.id(), job.state(), detail);
        }
    }

    @Override
    public void close() {
        closed = true;
        writer.interrupt();
    }
}
