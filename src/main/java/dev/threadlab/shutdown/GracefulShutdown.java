package dev.threadlab.shutdown;

import dev.threadlab.job.Job;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.Waiters;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shutdown sequence Kubernetes expects on SIGTERM, as a plain class:
 * <ol>
 *   <li>refuse new submissions at once (503 {@code shutting-down}); readiness reports DOWN from here on;</li>
 *   <li>keep serving reads, joins and cancels for {@code delay}, while load balancers stop routing here;</li>
 *   <li>give running jobs up to {@code drain} to finish;</li>
 *   <li>cancel what is left (CANCELLED, reason {@code shutdown});</li>
 *   <li>wait (bounded) until waiting joins have been answered with the final state;</li>
 *   <li>report one summary.</li>
 * </ol>
 * Runs once, on the thread that calls {@link #run()}; every wait is bounded.
 */
public final class GracefulShutdown {

    /** What a shutdown did. */
    public record Summary(int unfinishedAtStart, int finishedDuringDrain, int cancelled, int joinsLeftWaiting,
                          long tookMillis) {

        public String line() {
            return "shutdown: " + finishedDuringDrain + " of " + unfinishedAtStart + " unfinished jobs finished during delay and drain, "
                    + cancelled + " cancelled (reason shutdown), " + joinsLeftWaiting + " joins left waiting, took "
                    + tookMillis + " ms";
        }
    }

    private static final Duration ANSWER_JOINS = Duration.ofSeconds(2);

    private final JobEngine engine;
    private final Waiters waiters;
    private final Duration delay;
    private final Duration drain;

    public GracefulShutdown(JobEngine engine, Waiters waiters, Duration delay, Duration drain) {
        this.engine = engine;
        this.waiters = waiters;
        this.delay = delay;
        this.drain = drain;
    }

    public Summary run() throws InterruptedException {
        long start = System.nanoTime();
        engine.beginShutdown();
        int unfinishedAtStart = engine.unfinished().size();
        TimeUnit.NANOSECONDS.sleep(delay.toNanos());
        List<Job> draining = engine.unfinished();
        awaitAll(draining, drain);
        int cancelled = engine.cancelUnfinished();
        int finishedDuringDrain = Math.max(0, unfinishedAtStart - cancelled);
        long answerDeadline = System.nanoTime() + ANSWER_JOINS.toNanos();
        while (waiters.waiting() > 0 && System.nanoTime() < answerDeadline) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return new Summary(unfinishedAtStart, finishedDuringDrain, cancelled, waiters.waiting(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private static void awaitAll(List<Job> jobs, Duration timeout) throws InterruptedException {
        JobEngine.whenDone(jobs, true).await(timeout); // what has not ended by then is cancelled next
    }
}
