package dev.threadlab.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Every job this instance knows: all unfinished ones, and finished ones for a retention time and up to a count,
 * the oldest evicted first, so memory stays flat under endless load.
 *
 * <p>Thread-safety: concurrent collections for reads and adds. {@code evictLock} makes one thread at a time the
 * evictor, so it can take the oldest with a cheap {@code poll()} instead of a search; a thread that finds the lock
 * taken leaves the work to the holder, which re-checks after unlocking, so the bound holds whenever no finish is in
 * progress.
 * {@code finishedCount} may lag the queue by one transiently.
 */
final class JobStore {

    private final ConcurrentHashMap<String, Job> byId = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Long, Job> bySequence = new ConcurrentSkipListMap<>();
    private final ConcurrentLinkedQueue<Job> finishedOrder = new ConcurrentLinkedQueue<>();
    private final AtomicInteger finishedCount = new AtomicInteger();
    private final ReentrantLock evictLock = new ReentrantLock();
    private final Duration retention;
    private final int maxRetained;

    JobStore(Duration retention, int maxRetained) {
        this.retention = retention;
        this.maxRetained = maxRetained;
    }

    void add(Job job) {
        byId.put(job.id(), job);
        bySequence.put(job.sequence(), job);
    }

    /** Removes a job that was never accepted. */
    void remove(Job job) {
        byId.remove(job.id());
        bySequence.remove(job.sequence());
    }

    Optional<Job> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Newest first, at most {@code limit}. */
    List<Job> list(Predicate<Job> filter, int limit) {
        List<Job> jobs = new ArrayList<>(Math.min(limit, 64));
        for (Job job : bySequence.descendingMap().values()) {
            if (filter.test(job)) {
                jobs.add(job);
                if (jobs.size() >= limit) {
                    break;
                }
            }
        }
        return jobs;
    }

    /** Called once per job when it becomes terminal. */
    void finished(Job job) {
        finishedOrder.add(job);
        finishedCount.incrementAndGet();
        evict(Instant.now());
    }

    /** Evicts finished jobs beyond the count or older than the retention time, the oldest first. */
    void evict(Instant now) {
        Instant cutoff = now.minus(retention);
        while (mustEvict(cutoff) && evictLock.tryLock()) {
            try {
                while (mustEvict(cutoff)) {
                    Job oldest = finishedOrder.poll();
                    finishedCount.decrementAndGet();
                    remove(oldest);
                }
            } finally {
                evictLock.unlock();
            }
        }
    }

    /** Whether the oldest finished job must go: one too many, or too old. */
    private boolean mustEvict(Instant cutoff) {
        Job oldest = finishedOrder.peek();
        if (oldest == null) {
            return false;
        }
        if (finishedCount.get() > maxRetained) {
            return true;
        }
        Instant finishedAt = oldest.finishedAt();
        return finishedAt != null && finishedAt.isBefore(cutoff);
    }

    int size() {
        return byId.size();
    }

    int finishedRetained() {
        return finishedCount.get();
    }
}
