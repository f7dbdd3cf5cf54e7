package dev.threadlab.pool;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One submitted task as its pool tracks it, and the way to cancel it.
 *
 * <p>Thread-safety: {@code state} is the single point of truth and every transition is a CAS, so exactly one
 * party owns each outcome: whoever moves it out of {@code QUEUED} either runs it (a pool thread) or discards it
 * (the canceller). Cancelling a running task interrupts its thread only while the task still runs: the
 * {@code INTERRUPTING} state makes the ending thread wait for an interrupt in flight, so an interrupt can never
 * leak into the next task that reuses the same platform thread (the race {@code FutureTask} guards the same way).
 */
public final class TaskHandle {

    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int INTERRUPTING = 2;
    private static final int INTERRUPTED = 3;
    private static final int ENDED = 4;
    private static final int DISCARDED = 5;

    private final Pool pool;
    private final PoolTask task;
    private final int index;
    private final AtomicInteger state = new AtomicInteger(QUEUED);
    private volatile boolean cancelRequested;
    private volatile Thread runner;

    TaskHandle(Pool pool, PoolTask task, int index) {
        this.pool = pool;
        this.task = task;
        this.index = index;
    }

    /** Drops the task if still queued; otherwise asks it to stop at its next cancellation check. Idempotent. */
    public void cancel() {
        cancelRequested = true;
        if (state.compareAndSet(QUEUED, DISCARDED)) {
            pool.discarded(this);
            return;
        }
        if (state.compareAndSet(RUNNING, INTERRUPTING)) {
            Thread thread = runner;
            if (thread != null) {
                thread.interrupt();
            }
            state.set(INTERRUPTED);
        }
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    /** Dropped unrun (it may still sit in its pool's queue until the queue is next drained or purged). */
    boolean discarded() {
        return state.get() == DISCARDED;
    }

    public int index() {
        return index;
    }

    PoolTask task() {
        return task;
    }

    /** Claims the task for running on the current thread; false if it was discarded meanwhile. */
    boolean claimForRun() {
        runner = Thread.currentThread();
        if (state.compareAndSet(QUEUED, RUNNING)) {
            return true;
        }
        runner = null;
        return false;
    }

    /** Claims a queued task for discarding (pool shutdown); false if it runs or ended already. */
    boolean claimForDiscard() {
        cancelRequested = true;
        return state.compareAndSet(QUEUED, DISCARDED);
    }

    /** Marks a claimed task as ended and clears any interrupt meant for it. Called by the thread that ran it. */
    void endRun() {
        while (true) {
            int current = state.get();
            if (current == INTERRUPTING) {
                Thread.onSpinWait(); // a canceller is delivering an interrupt right now; let it finish
                continue;
            }
            if (state.compareAndSet(current, ENDED)) {
                break;
            }
        }
        runner = null;
        Thread.interrupted();
    }
}
