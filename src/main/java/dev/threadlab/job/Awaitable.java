package dev.threadlab.job;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Something that ends once and that waits attach to: a job, a group of jobs, an experiment. A wait that ends for
 * any reason (the awaited ended, the wait timed out, its client went away) detaches, so nothing of it stays attached
 * to what it waited for.
 */
public interface Awaitable {

    boolean isDone();

    /**
     * Runs {@code whenDone} once, when this is done: on the thread that ends it, or at once on the calling thread if
     * it is done already. {@code whenDone} must be quick and must not block.
     *
     * @return detaches {@code whenDone}; idempotent and thread-safe
     */
    Attachment attach(Runnable whenDone);

    /** An attached action, and the way to take it off again. */
    @FunctionalInterface
    interface Attachment {
        /** Afterwards the action will not run (unless it is running already) and nothing of it stays attached. */
        void detach();

        Attachment NONE = () -> {
        };
    }

    /**
     * Blocks until this is done or {@code timeout} has passed, and detaches either way.
     *
     * @return whether it is done
     */
    default boolean await(Duration timeout) throws InterruptedException {
        if (isDone()) {
            return true;
        }
        CountDownLatch done = new CountDownLatch(1);
        Attachment attachment = attach(done::countDown);
        try {
            return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            attachment.detach();
        }
    }

    /** Done when every part is done. */
    static Awaitable all(List<? extends Awaitable> parts) {
        return new Group(parts, parts.size());
    }

    /** Done when any part is done (at once when there are none). */
    static Awaitable any(List<? extends Awaitable> parts) {
        return new Group(parts, Math.min(1, parts.size()));
    }

    /**
     * Done when {@code needed} of its parts are. Attaching attaches to every part; detaching detaches from every part.
     * Immutable; each attachment's countdown is atomic.
     */
    final class Group implements Awaitable {
        private final List<? extends Awaitable> parts;
        private final int needed;

        private Group(List<? extends Awaitable> parts, int needed) {
            this.parts = List.copyOf(parts);
            this.needed = needed;
        }

        @Override
        public boolean isDone() {
            int done = 0;
            for (Awaitable part : parts) {
                if (part.isDone() && ++done >= needed) {
                    return true;
                }
            }
            return done >= needed;
        }

        @Override
        public Attachment attach(Runnable whenDone) {
            if (needed == 0) {
                whenDone.run();
                return Attachment.NONE;
            }
            AtomicInteger remaining = new AtomicInteger(needed);
            AtomicBoolean fired = new AtomicBoolean();
            Runnable partDone = () -> {
                if (remaining.decrementAndGet() == 0 && fired.compareAndSet(false, true)) {
                    whenDone.run();
                }
            };
            Attachment[] attached = new Attachment[parts.size()];
            for (int i = 0; i < attached.length; i++) {
                attached[i] = parts.get(i).attach(partDone);
            }
            Attachment all = () -> {
                for (Attachment attachment : attached) {
                    attachment.detach();
                }
            };
            if (fired.get()) {
                all.detach(); // done while attaching: leave nothing behind on the other parts
            }
            return all;
        }
    }
}
