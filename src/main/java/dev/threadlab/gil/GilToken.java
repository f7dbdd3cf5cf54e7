package dev.threadlab.gil;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One interpreter's token, modelled on CPython's "new GIL" ({@code Python/ceval_gil.c}, 3.2+):
 * <ul>
 *   <li>Acquire takes a free token at once: no queue, no fairness, a thread that just released may win it back.
 *       Otherwise it waits for one switch interval at a time; when a wait times out and no switch happened
 *       meanwhile, it sets the drop request, then keeps waiting.</li>
 *   <li>A release wakes the waiter that has waited longest for this acquisition: a waiter keeps its place in
 *       line across its timed re-waits, so an I/O thread cannot overtake a CPU thread that waited longer (which a
 *       single {@code Condition}, re-queueing at the tail after every timeout, would allow): that order is what
 *       makes a blocking op wait about two intervals next to two CPU threads, as in CPython.</li>
 *   <li>The holder polls {@link #dropRequested()} at its checkpoints. A forced release signals a waiter and then
 *       (FORCE_SWITCHING) waits on {@code taken} until another thread has taken the token, so it cannot win it
 *       straight back.</li>
 *   <li>A voluntary release (around blocking I/O) only signals a waiter; re-acquiring goes through the same
 *       acquire path with no priority, hence the convoy effect.</li>
 * </ul>
 * Two kinds of participant take the token: task threads, whose holds, waits and releases are counted, and the
 * responsiveness probe, which measures its own lag. A <em>switch</em> is the token changing hands between two
 * threads of either kind (CPython's {@code switch_number}); a <em>forced switch</em> is a switch right after a
 * forced release, so forced switches are a subset of switches by construction.
 *
 * <p>Thread-safety: {@code mutex} guards {@code line} and every field below it except {@code dropRequest} and
 * {@code intervalNanos}, which are volatile so that the holder's checkpoint and a live change of the interval
 * need no lock. Waits are bounded by the interval and interruptible (cancellation).
 */
public final class GilToken {

    /**
     * What a task thread learns from one acquisition.
     *
     * @param switched the token came from another thread (not back to the thread that held it last)
     */
    public record Acquisition(long waitNanos, boolean switched) {
    }

    /** A thread waiting for the token, woken through its own condition (CPython's {@code gil->cond}). */
    private record Waiter(Condition wake) {
    }

    private final ReentrantLock mutex = new ReentrantLock();
    /** CPython's {@code gil->switch_cond}: signalled when the token is taken. */
    private final Condition taken = mutex.newCondition();
    /** Waiting threads in the order they started waiting for their current acquisition. */
    private final ArrayDeque<Waiter> line = new ArrayDeque<>();
    private volatile boolean dropRequest;
    private volatile long intervalNanos;

    private Thread holder;
    private boolean holderIsTask;
    private long holdStart;
    /** Last thread of any kind to take the token, and CPython's switch_number: bumped when that changes. */
    private Thread lastHolder;
    private long switchNumber;
    /** The last release honoured a drop request; the next switch is then a forced one. */
    private boolean lastReleaseForced;
    private long forcedSwitches;
    private int waiters;
    private int taskWaiters;
    private long contendedSince;
    private long heldNanos;
    private long contendedNanos;
    private long forcedReleases;
    private long voluntaryReleases;

    public GilToken(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    public void setIntervalNanos(long nanos) {
        intervalNanos = nanos;
    }

    public long intervalNanos() {
        return intervalNanos;
    }

    /** True when a waiter has asked the holder to drop the token. Cheap: one volatile read. */
    public boolean dropRequested() {
        return dropRequest;
    }

    /**
     * Takes the token for the current thread, waiting as long as needed, one interval at a time.
     *
     * @param task true for a task thread, false for the probe
     * @throws InterruptedException when cancelled while waiting; the token is then not held
     */
    public Acquisition acquire(boolean task) throws InterruptedException {
        long start = System.nanoTime();
        mutex.lockInterruptibly();
        try {
            if (holder != null) {
                awaitRelease(task, start);
            }
            Thread me = Thread.currentThread();
            long now = System.nanoTime();
            holder = me;
            holderIsTask = task;
            holdStart = now;
            boolean switched = lastHolder != me;
            if (switched) {
                lastHolder = me;
                switchNumber++;
                if (lastReleaseForced) {
                    forcedSwitches++;
                }
            }
            lastReleaseForced = false;
            dropRequest = false; // the request is served: whoever asked, the token changed hands
            taken.signalAll();
            return new Acquisition(now - start, switched);
        } finally {
            mutex.unlock();
        }
    }

    /** Waits while the token is held, requesting a drop after an interval with no switch. Holds {@code mutex}. */
    private void awaitRelease(boolean task, long start) throws InterruptedException {
        Waiter me = new Waiter(mutex.newCondition());
        line.addLast(me);
        addWaiter(task, start);
        try {
            while (holder != null) {
                long saved = switchNumber;
                long left = me.wake().awaitNanos(intervalNanos);
                if (left <= 0 && holder != null && switchNumber == saved) {
                    dropRequest = true;
                }
            }
        } catch (InterruptedException cancelled) {
            line.remove(me);
            if (holder == null) {
                wakeLongestWaiter(); // pass on a wake-up this thread may have taken
            }
            throw cancelled;
        } finally {
            line.remove(me);
            removeWaiter(task);
        }
    }

    private void wakeLongestWaiter() {
        Waiter first = line.peekFirst();
        if (first != null) {
            first.wake().signal();
        }
    }

    private void addWaiter(boolean task, long now) {
        waiters++;
        if (task && taskWaiters++ == 0) {
            contendedSince = now;
        }
    }

    private void removeWaiter(boolean task) {
        waiters--;
        if (task && --taskWaiters == 0) {
            contendedNanos += System.nanoTime() - contendedSince;
        }
        taken.signalAll(); // a forced dropper waiting for a taker re-checks whether anyone is left to take it
    }

    /**
     * Releases the token held by the current thread.
     *
     * @param forced true when honouring a drop request: then waits (bounded, interruptible) until another thread
     *               has taken the token, as CPython's FORCE_SWITCHING does
     * @return how long the token was held
     * @throws InterruptedException when cancelled during the forced wait; the token is released all the same
     */
    public long release(boolean forced) throws InterruptedException {
        mutex.lock();
        try {
            Thread me = Thread.currentThread();
            if (holder != me) {
                throw new IllegalStateException("the token is not held by " + me.getName());
            }
            long hold = System.nanoTime() - holdStart;
            if (holderIsTask) {
                heldNanos += hold;
                if (forced) {
                    forcedReleases++;
                } else {
                    voluntaryReleases++;
                }
            }
            holder = null;
            lastReleaseForced = forced;
            wakeLongestWaiter();
            if (forced) {
                dropRequest = false;
                while (lastHolder == me && waiters > 0) {
                    taken.awaitNanos(intervalNanos);
                }
            }
            return hold;
        } finally {
            mutex.unlock();
        }
    }

    /** Cumulative figures since start, including the hold and contention in progress (holds and waits: of task threads). */
    public GilCounters counters() {
        mutex.lock();
        try {
            long now = System.nanoTime();
            long held = heldNanos + (holder != null && holderIsTask ? now - holdStart : 0);
            long contended = contendedNanos + (taskWaiters > 0 ? now - contendedSince : 0);
            return new GilCounters(now, held, contended, switchNumber, forcedSwitches, forcedReleases, voluntaryReleases,
                    taskWaiters);
        } finally {
            mutex.unlock();
        }
    }

    /** Task threads waiting for the token now. */
    public int waitingTasks() {
        mutex.lock();
        try {
            return taskWaiters;
        } finally {
            mutex.unlock();
        }
    }

    /** True if the current thread holds the token (for invariant checks). */
    public boolean heldByCurrentThread() {
        mutex.lock();
        try {
            return holder == Thread.currentThread();
        } finally {
            mutex.unlock();
        }
    }
}
