package dev.threadlab.workload;

import dev.threadlab.input.ParamSpec;
import dev.threadlab.input.Params;
import dev.threadlab.pool.TaskContext;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The race-condition demo: all tasks of a job increment one shared counter. {@code none} is a plain
 * read-modify-write (a real data race that loses updates), {@code lock} guards it with a {@link ReentrantLock},
 * {@code atomic} uses an atomic add.
 */
public final class CounterWorkload extends BaseWorkload {

    public static final List<String> SYNC_MODES = List.of("none", "lock", "atomic");

    private final long maxIncrements;

    public CounterWorkload(long maxIncrements) {
        super("counter",
                "Race demo: tasks increment one shared counter; sync=none loses updates, lock and atomic never do",
                "cpu");
        this.maxIncrements = maxIncrements;
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.integer("increments", 10_000_000, 1, maxIncrements, "increments",
                        "increments per task (a few ns each); long enough by default that the tasks really overlap"),
                ParamSpec.choice("sync", "none", SYNC_MODES,
                        "none: unsynchronised read-modify-write; lock: ReentrantLock; atomic: AtomicLong"));
    }

    @Override
    public WorkloadRun start(Params params, int tasks, ContentionSink contention) {
        return new Run(params.getLong("increments"), params.getString("sync"), tasks, contention);
    }

    /**
     * Thread-safety: in mode {@code none}, {@code racyValue} is deliberately unprotected: a separate read and
     * write, so the read-modify-write is not atomic and concurrent tasks lose updates. The accesses are volatile
     * only so that the JIT must perform every one of them: with plain or opaque accesses it may merge a write
     * with the next read of the same field and so fold many increments into one add, hiding the race. In mode
     * {@code lock}, {@code lock} guards the writes of {@code lockedValue}, which is volatile so that status reads
     * take no lock (a reader must never wait for a task, least of all on an event loop). Everything else is atomic.
     */
    static final class Run implements WorkloadRun {
        private static final VarHandle RACY_VALUE;
        private static final long STARTING_LINE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

        static {
            try {
                RACY_VALUE = MethodHandles.lookup().findVarHandle(Run.class, "racyValue", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final long increments;
        private final String sync;
        @SuppressWarnings("unused") // accessed through RACY_VALUE
        private long racyValue;
        private volatile long lockedValue;
        private final ReentrantLock lock = new ReentrantLock();
        private final AtomicLong atomicValue = new AtomicLong();
        private final LongAdder performed = new LongAdder();
        private final LongAdder lockWaitNanos = new LongAdder();
        private final LongAdder contendedAcquires = new LongAdder();
        private final AtomicInteger arrived = new AtomicInteger();
        private final int tasks;

        private final ContentionSink contention;

        Run(long increments, String sync, int tasks, ContentionSink contention) {
            this.increments = increments;
            this.sync = sync;
            this.tasks = tasks;
            this.contention = contention;
        }

        /**
         * Like the classic demo, the racers start together: each spins (awake, so no wake-up delay that could be
         * longer than a short run) until all have arrived, for at most {@link #STARTING_LINE_NANOS}; tasks that a
         * small pool cannot run at once simply start after that. A blocking wait, so a GIL pool releases its token.
         */
        private void awaitTheOthers(TaskContext context) throws Exception {
            arrived.incrementAndGet();
            long deadline = System.nanoTime() + STARTING_LINE_NANOS;
            context.blocking(() -> {
                while (arrived.get() < tasks && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                return null;
            });
        }

        @Override
        public void runTask(TaskContext context) throws Exception {
            awaitTheOthers(context);
            long done = 0;
            try {
                switch (sync) {
                    case "none" -> {
                        for (; done < increments; done++) {
                            long read = (long) RACY_VALUE.getVolatile(this);
                            context.checkpoint(); // a thread switch here loses updates, as in CPython
                            RACY_VALUE.setVolatile(this, read + 1);
                        }
                    }
                    case "lock" -> {
                        for (; done < increments; done++) {
                            lockIncrement(context);
                        }
                    }
                    default -> {
                        for (; done < increments; done++) {
                            atomicValue.incrementAndGet();
                            context.checkpoint();
                        }
                    }
                }
            } finally {
                performed.add(done);
            }
        }

        /**
         * One increment under the lock. A contended lock is waited for as a blocking call (a GIL pool releases its
         * token meanwhile); the lock is released in {@code finally} whenever this thread holds it, including when
         * the task is cancelled right after getting the lock (e.g. while taking the GIL token back).
         */
        private void lockIncrement(TaskContext context) throws Exception {
            try {
                if (!lock.tryLock()) {
                    long start = System.nanoTime();
                    context.blocking(() -> {
                        lock.lockInterruptibly();
                        return null;
                    });
                    long waited = System.nanoTime() - start;
                    lockWaitNanos.add(waited);
                    contendedAcquires.increment();
                    contention.lockWaited(waited);
                }
                lockedValue = lockedValue + 1; // guarded by lock; volatile only so that readers need no lock
            } finally {
                if (lock.isHeldByCurrentThread()) {
                    lock.unlock();
                }
            }
            context.checkpoint();
        }

        /** The counter's value now; takes no lock, so a status read never waits for a task. */
        long actual() {
            return switch (sync) {
                case "none" -> (long) RACY_VALUE.getVolatile(this);
                case "lock" -> lockedValue;
                default -> atomicValue.get();
            };
        }

        @Override
        public void finished() {
            contention.updatesLost(performed.sum() - actual());
        }

        @Override
        public Map<String, Object> summary() {
            long expected = performed.sum();
            long actual = actual();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("sync", sync);
            result.put("incrementsPerTask", increments);
            result.put("expected", expected);
            result.put("actual", actual);
            result.put("lostUpdates", expected - actual);
            if (sync.equals("lock")) {
                result.put("lockWaitMs", Math.round(lockWaitNanos.sum() / 1e4) / 100.0);
                result.put("contendedAcquires", contendedAcquires.sum());
            }
            return result;
        }
    }
}
