package dev.threadlab.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
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

    private static final Comparator<Job> OLDEST_FIRST = Comparator.comparingLong(Job::sequence);

    private final ConcurrentHashMap<String, Job> byId = new ConcurrentHashMap<>();
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
    }

    Optional<Job> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /**
     * Newest first, at most {@code limit}. Scans every job the store holds, keeping the newest {@code limit} in a
     * heap: listing is rare next to submitting, so no second index is kept up to date on every submit and eviction.
     */
    List<Job> list(Predicate<Job> filter, int limit) {
        PriorityQueue<Job> newest = new PriorityQueue<>(Math.min(limit, 64) + 1, OLDEST_FIRST);
        for (Job job : byId.values()) {
            if (!filter.test(job)) {
                continue;
            }
            if (newest.size() < limit) {
                newest.add(job);
            } else if (job.sequence() > newest.peek().sequence()) {
                newest.poll();
                newest.add(job);
            }
        }
        List<Job> jobs = new ArrayList<>(newest);
        jobs.sort(OLDEST_FIRST.reversed());
        return jobs;
    }

    /**
     * Keeps a job that became terminal, as one of the finished ones. Enforces the count bound at once; the age bound
     * is left to {@link #evict(Instant)} on the housekeeping schedule, so a finishing task never reads a clock or an
     * old job.
     */
    void retain(Job job) {
        finishedOrder.add(job);
        finishedCount.incrementAndGet();
        evictWhile(this::overCount);
    }

    /** Evicts finished jobs beyond the count or older than the retention time, the oldest first. */
    void evict(Instant now) {
        Instant cutoff = now.minus(retention);
        evictWhile(() -> overCount() || oldestFinishedBefore(cutoff));
    }

    private void evictWhile(BooleanSupplier mustEvict) {
        while (mustEvict.getAsBoolean() && evictLock.tryLock()) {
            try {
                while (mustEvict.getAsBoolean()) {
                    Job oldest = finishedOrder.poll(); // never null: the count never exceeds the queue
                    finishedCount.decrementAndGet();
                    byId.remove(oldest.id());
                }
            } finally {
                evictLock.unlock();
            }
        }
    }

    private boolean overCount() {
        return finishedCount.get() > maxRetained;
    }

    private boolean oldestFinishedBefore(Instant cutoff) {
        Job oldest = finishedOrder.peek();
        if (oldest == null) {
            return false;
        }
        Instant finishedAt = oldest.finishedAt();
        return finishedAt != null && finishedAt.isBefore(cutoff);
    }

    int size() {
        return byId.size();
    }

    /** Jobs held that match, counted by a scan (for diagnostics, not for the hot path). */
    int count(Predicate<Job> filter) {
        int count = 0;
        for (Job job : byId.values()) {
            if (filter.test(job)) {
                count++;
            }
        }
        return count;
    }

    int finishedRetained() {
        return finishedCount.get();
    }
}
