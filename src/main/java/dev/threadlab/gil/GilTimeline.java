package dev.threadlab.gil;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The hand-overs of one GIL pool's tokens as they happen (which thread took a token, after how long a wait, and how
 * it let go), kept in a bounded ring buffer, and only while someone watches: with no watcher, recording is one
 * volatile read. A thread records its take right after taking a token and its release right before releasing it,
 * so the events of one token are in the order of its holds.
 *
 * <p>Thread-safety: lock-free. A writer claims a sequence number ({@code next}), marks the slot unpublished, fills it,
 * then publishes the number in {@code published}; a reader takes a slot only if it carries the number it expects
 * both before and after reading it, so it never reads a half-written event, and it counts the events the ring
 * overwrote before it read them.
 */
public final class GilTimeline {

    /** What happened to a token. */
    public enum Kind {
        TAKE, FORCED_RELEASE, VOLUNTARY_RELEASE, PROBE_TAKE, PROBE_RELEASE;

        private final String id = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');

        public String id() {
            return id;
        }
    }

    /**
     * One hand-over event.
     *
     * @param atNanos     when, on {@code System.nanoTime}'s clock
     * @param waitNanos   for a take: how long the thread waited for the token; else 0
     */
    public record Event(long atNanos, String thread, int interpreter, Kind kind, long waitNanos) {
    }

    /** What a watcher gets: the events since its last read, and how many the ring overwrote before it read them. */
    public record Batch(List<Event> events, long missed) {
    }

    static final int CAPACITY = 8192;

    private final AtomicInteger watchers = new AtomicInteger();
    private final AtomicLong next = new AtomicLong();
    private final AtomicLongArray published = new AtomicLongArray(CAPACITY);
    private final AtomicReferenceArray<Event> slots = new AtomicReferenceArray<>(CAPACITY);

    public GilTimeline() {
        for (int i = 0; i < CAPACITY; i++) {
            published.set(i, -1);
        }
    }

    /** Cheap: one volatile read. */
    boolean recording() {
        return watchers.get() > 0;
    }

    void record(int interpreter, Kind kind, long waitNanos) {
        if (!recording()) {
            return;
        }
        long sequence = next.getAndIncrement();
        int slot = (int) (sequence % CAPACITY);
        published.set(slot, -1);
        slots.set(slot, new Event(System.nanoTime(), Thread.currentThread().getName(), interpreter, kind, waitNanos));
        published.set(slot, sequence);
    }

    /** Starts recording (if nobody watched yet) and returns a cursor at the newest event. Close it when done. */
    public Watch watch() {
        watchers.incrementAndGet();
        return new Watch(next.get());
    }

    /** One watcher's position in the ring. Used by one reader at a time. */
    public final class Watch implements AutoCloseable {
        private long cursor;
        private boolean closed;

        private Watch(long cursor) {
            this.cursor = cursor;
        }

        /** The events recorded since the last read, oldest first. */
        public Batch read() {
            long end = next.get();
            long missed = 0;
            if (end - cursor > CAPACITY) {
                missed = end - CAPACITY - cursor;
                cursor = end - CAPACITY;
            }
            List<Event> events = new ArrayList<>((int) (end - cursor));
            while (cursor < end) {
                int slot = (int) (cursor % CAPACITY);
                long before = published.get(slot);
                if (before == cursor) {
                    Event event = slots.get(slot);
                    if (published.get(slot) == cursor) {
                        events.add(event);
                    } else {
                        missed++; // overwritten while it was read
                    }
                } else if (before > cursor) {
                    missed++; // overwritten before it was read
                } else {
                    break; // claimed but not written yet: read it next time
                }
                cursor++;
            }
            return new Batch(events, missed);
        }

        /** Stops this watch; recording stops with the last one. Idempotent. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                watchers.decrementAndGet();
            }
        }
    }
}
