package dev.threadlab.cluster;

import dev.threadlab.job.Awaitable;
import dev.threadlab.job.Completion;
import dev.threadlab.job.JobView;

/**
 * A job of another instance that requests here wait for: its view as last read from the store or received with its
 * end, and a completion that the end message (or a read that finds it ended) completes.
 *
 * <p>Thread-safety: {@code latest} is written under this object's monitor (its final view is never replaced) and read
 * without it (volatile); {@code lookups} is guarded by the monitor; {@code lastUsedNanos} is volatile;
 * {@link Completion} is thread-safe and is completed outside the monitor.
 */
final class RemoteJob implements TrackedJob {

    private final String id;
    private final Completion ended = new Completion();
    private volatile JobView latest;
    private volatile long lastUsedNanos = System.nanoTime();
    private int lookups; // requests handed this job whose read has not been answered yet

    RemoteJob(String id, JobView view) {
        this.id = id;
        this.latest = view;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public JobView view() {
        return latest;
    }

    @Override
    public Awaitable completion() {
        return ended;
    }

    /**
     * Takes a view read or received; a terminal one completes the job. Once the job has ended, its final view stays:
     * a read answered after the end message may carry an older state.
     */
    void update(JobView view) {
        synchronized (this) {
            JobView current = latest;
            if (current != null && current.state().terminal()) {
                return;
            }
            latest = view;
        }
        if (view.state().terminal()) {
            ended.complete();
        }
    }

    boolean ended() {
        return ended.isDone();
    }

    /** A request was handed this job and reads it. */
    synchronized void lookupStarted() {
        lookups++;
        lastUsedNanos = System.nanoTime();
    }

    /** That request's read was answered; true when no read is under way and none has found the job. */
    synchronized boolean lookupEnded() {
        lookups--;
        return lookups == 0 && latest == null;
    }

    /** Nobody reads it, waits for it now, or was handed it for {@code idleNanos}. */
    synchronized boolean idleFor(long idleNanos) {
        return lookups == 0 && ended.attached() == 0 && System.nanoTime() - lastUsedNanos > idleNanos;
    }
}
