package dev.threadlab.pool;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A named executor of tasks: a FIFO queue in front of a {@link Launcher}, never more than
 * {@code concurrency} tasks running, never more than {@code capacity} tasks held. Jobs are admitted whole, in two
 * steps: {@link #reserve} takes room for all their tasks or refuses them all, then {@link Reservation#queue}
 * queues them and never refuses.
 *
 * <p>Thread-safety: lock-free on the hot path. {@code held} (tasks queued or running) is reserved by CAS
 * before tasks are queued, so admission is atomic for a whole job. {@code running} is raised by CAS before a
 * task is launched and lowered when it ends; every change of the queue or of {@code running} is followed by
 * {@link #drain()} by the thread that made it, so no queued task is left behind while a slot is free; only a
 * submission may defer its drain, through {@link HandOff}, and then the deferred drain runs on that thread soon.
 * {@code settingsLock} serialises reconfiguration: a change is computed from the settings current under the lock,
 * so concurrent changes of different fields all land; {@code settings} is volatile for readers.
 */
public final class Pool {

    private static final Logger LOG = Logger.getLogger(Pool.class);

    private final String name;
    private final PoolKind kind;
    private final ExecutionModel model;
    private final Launcher launcher;
    private final HandOff handOff;
    private final Runnable handOver = this::drain;
    private final ConcurrentLinkedQueue<TaskHandle> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    /** Cancelled tasks still in the queue (approximate): they are skipped when drained, and purged in bulk. */
    private final AtomicInteger staleInQueue = new AtomicInteger();
    private final LongAdder completed = new LongAdder();
    private final LongAdder rejectedJobs = new LongAdder();
    private final ReentrantLock settingsLock = new ReentrantLock();
    private final DrainRateEstimator drainRate = new DrainRateEstimator();
    private volatile PoolSettings settings;
    private volatile boolean shutDown;

    private Pool(String name, PoolKind kind, PoolSettings settings, ExecutionModel model, HandOff handOff,
                 Function<AtomicInteger, Launcher> launcherFactory) {
        this.name = name;
        this.handOff = handOff;
        this.kind = kind;
        this.settings = settings;
        this.model = model;
        this.launcher = launcherFactory.apply(running);
    }

    /** A pool of {@code settings.concurrency()} platform threads. */
    public static Pool platform(String name, PoolSettings settings, ExecutionModel model, HandOff handOff) {
        return new Pool(name, PoolKind.PLATFORM, settings, model, handOff,
                running -> Launcher.platform(name, settings.concurrency()));
    }

    /**
     * A pool of {@code settings.concurrency()} platform threads whose tasks run under {@code model}, a GIL model:
     * the threads exist, but only token holders run workload code.
     */
    public static Pool gil(String name, PoolSettings settings, ExecutionModel model, HandOff handOff) {
        return new Pool(name, PoolKind.GIL, settings, model, handOff, running -> Launcher.platform(name, settings.concurrency()));
    }

    /** A pool that starts a virtual thread per task, at most {@code settings.concurrency()} at once. */
    public static Pool virtual(String name, PoolSettings settings, HandOff handOff) {
        return new Pool(name, PoolKind.VIRTUAL, settings, ExecutionModel.PLAIN, handOff,
                running -> Launcher.virtual(name, running));
    }

    public String name() {
        return name;
    }

    public PoolKind kind() {
        return kind;
    }

    public PoolSettings settings() {
        return settings;
    }

    public ExecutionModel model() {
        return model;
    }

    /**
     * Takes room for {@code count} tasks, all or none.
     *
     * @throws PoolSaturatedException when the pool cannot hold them all
     * @throws PoolShutDownException after shutdown
     */
    public Reservation reserve(int count) {
        if (shutDown) {
            throw new PoolShutDownException(name);
        }
        while (true) {
            int current = held.get();
            long capacity = settings.capacity();
            if (current + (long) count > capacity) {
                rejectedJobs.increment();
                throw new PoolSaturatedException(name, current, capacity, count,
                        drainRate.secondsToFree(current, completed.sum()));
            }
            if (held.compareAndSet(current, current + count)) {
                return new Reservation(count);
            }
        }
    }

    /** Room for a whole job's tasks, taken by {@link #reserve}: queue them, or give the room back. Used once. */
    public final class Reservation {
        private final int count;
        private boolean used;

        private Reservation(int count) {
            this.count = count;
        }

        /**
         * Queues the tasks (as many as reserved); they start in order as slots free up, once the {@link HandOff}
         * lets them. Never refuses: if the pool shut down meanwhile, the tasks are discarded at once.
         */
        public List<TaskHandle> queue(List<? extends PoolTask> tasks) {
            if (used || tasks.size() != count) {
                throw new IllegalStateException("a reservation of " + count + " queues exactly that many tasks, once");
            }
            used = true;
            List<TaskHandle> handles = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                handles.add(new TaskHandle(Pool.this, tasks.get(i), i));
            }
            queue.addAll(handles);
            if (shutDown) {
                discardQueued(); // shutdown may have emptied the queue before these arrived
            } else if (!handOff.deferOnCurrentThread(handOver)) {
                drain();
            }
            return handles;
        }

        /** Gives the room back unused (the job could not be created after all). */
        public void cancel() {
            if (!used) {
                used = true;
                held.addAndGet(-count);
            }
        }
    }

    /** Starts queued tasks while fewer than {@code concurrency} run. Any thread may call it at any time. */
    private void drain() {
        while (!queue.isEmpty()) {
            int current = running.get();
            if (current >= settings.concurrency()) {
                return;
            }
            if (!running.compareAndSet(current, current + 1)) {
                continue;
            }
            TaskHandle next = queue.poll();
            if (next == null || next.discarded()) {
                running.decrementAndGet(); // emptied by another thread, or a cancelled task: re-check the queue
                if (next != null) {
                    staleInQueue.updateAndGet(stale -> Math.max(0, stale - 1));
                }
                continue;
            }
            try {
                launcher.launch(new Launched(next));
            } catch (RejectedExecutionException shutdownRace) {
                running.decrementAndGet();
                discardUnrun(next);
            }
        }
    }

    /** A task handed to the launcher; the launcher gives back the ones it never started when it stops. */
    private final class Launched implements Runnable {
        private final TaskHandle handle;

        Launched(TaskHandle handle) {
            this.handle = handle;
        }

        @Override
        public void run() {
            runClaimed(handle);
        }
    }

    private void runClaimed(TaskHandle handle) {
        try {
            if (handle.claimForRun()) {
                try {
                    model.run(handle, handle.task());
                } finally {
                    handle.endRun();
                    completed.increment();
                    release();
                }
            }
        } finally {
            running.decrementAndGet();
            drain();
        }
    }

    /**
     * A task cancelled while queued frees its slot at once; it stays in the queue, skipped when drained, until the
     * cancelled ones outnumber what the pool holds, when they are purged together: a cancel costs the cancelling
     * thread (often an event loop) constant time, and the queue never holds more than twice its live tasks.
     */
    void discarded(TaskHandle handle) {
        release();
        if (staleInQueue.incrementAndGet() > Math.max(64, held.get())) {
            staleInQueue.set(0);
            queue.removeIf(TaskHandle::discarded);
        }
        handle.task().discarded();
    }

    /** Discards a task that never ran, if nothing else claimed it. */
    private void discardUnrun(TaskHandle handle) {
        if (handle.claimForDiscard()) {
            release();
            try {
                handle.task().discarded();
            } catch (RuntimeException e) {
                LOG.error("a discarded task failed to record its end; the other tasks are discarded all the same", e);
            }
        }
    }

    private void release() {
        held.decrementAndGet();
    }

    /**
     * Changes the live settings: {@code change} maps the settings current under the lock to the new ones, so two
     * concurrent changes of different fields both land. A switch interval, where given, changes in the same step.
     * Tasks above a lowered concurrency finish normally.
     *
     * @return the settings now
     */
    public PoolSettings reconfigure(UnaryOperator<PoolSettings> change, Duration switchInterval) {
        PoolSettings updated;
        settingsLock.lock();
        try {
            updated = change.apply(settings);
            launcher.resize(updated.concurrency());
            settings = updated;
            if (switchInterval != null) {
                model.setSwitchInterval(switchInterval);
            }
        } finally {
            settingsLock.unlock();
        }
        drain();
        return updated;
    }

    public PoolStats stats() {
        int active = running.get();
        return new PoolStats(launcher.threads(), active, Math.max(0, held.get() - active), completed.sum(),
                rejectedJobs.sum());
    }

    public int heldTasks() {
        return held.get();
    }

    /**
     * Refuses new tasks, discards queued ones (their jobs see them as never run), interrupts running ones
     * and waits up to {@code timeout} for the threads to end.
     */
    public boolean shutdown(Duration timeout) throws InterruptedException {
        shutDown = true;
        discardQueued();
        for (Runnable never : launcher.stop()) { // handed to a thread that had not picked them up yet
            if (never instanceof Launched launched) {
                running.decrementAndGet();
                discardUnrun(launched.handle);
            }
        }
        boolean stopped = launcher.awaitStopped(timeout);
        model.close();
        return stopped;
    }

    /** Discards every queued task (shutdown): their jobs see them as never run. */
    private void discardQueued() {
        TaskHandle handle;
        while ((handle = queue.poll()) != null) {
            discardUnrun(handle);
        }
    }
}
