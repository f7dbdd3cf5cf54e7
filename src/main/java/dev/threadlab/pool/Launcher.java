package dev.threadlab.pool;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a pool's dispatcher starts tasks: on its fixed platform threads, or on a new virtual thread each.
 * The dispatcher never hands over more tasks than the concurrency limit; the platform executor's own queue only
 * holds a task handed over while its thread finishes the previous one. Thread-safe.
 */
interface Launcher {

    void launch(Runnable task);

    /** Threads that exist for the pool now. */
    int threads();

    /** Applies a new concurrency limit (platform: the thread count). Called only under the pool's settings lock. */
    void resize(int concurrency);

    /** Stops accepting tasks and interrupts running ones; returns the tasks launched that never started. */
    List<Runnable> stop();

    /** Waits up to {@code timeout} for the running tasks to end, after {@link #stop}. */
    boolean awaitStopped(Duration timeout) throws InterruptedException;

    static Launcher platform(String poolName, int threads) {
        return new PlatformLauncher(poolName, threads);
    }

    static Launcher virtual(String poolName, AtomicInteger running) {
        return new VirtualLauncher(poolName, running);
    }

    /** A fixed set of platform threads named {@code threadlab-<pool>-<n>}. */
    final class PlatformLauncher implements Launcher {
        private final ThreadPoolExecutor executor;

        PlatformLauncher(String poolName, int threads) {
            ThreadFactory factory = Thread.ofPlatform().name("threadlab-" + poolName + "-", 1).daemon(true).factory();
            // The queue only ever holds tasks handed over while a thread is between two tasks.
            executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), factory);
            executor.prestartAllCoreThreads();
        }

        @Override
        public void launch(Runnable task) {
            executor.execute(task);
        }

        @Override
        public int threads() {
            return executor.getPoolSize();
        }

        @Override
        public void resize(int concurrency) {
            // ThreadPoolExecutor demands core <= max at every step, so the order depends on the direction.
            if (concurrency > executor.getMaximumPoolSize()) {
                executor.setMaximumPoolSize(concurrency);
                executor.setCorePoolSize(concurrency);
            } else {
                executor.setCorePoolSize(concurrency);
                executor.setMaximumPoolSize(concurrency);
            }
            executor.prestartAllCoreThreads();
        }

        @Override
        public List<Runnable> stop() {
            return executor.shutdownNow();
        }

        @Override
        public boolean awaitStopped(Duration timeout) throws InterruptedException {
            return executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** A new virtual thread per task; the thread count is the number of running tasks. */
    final class VirtualLauncher implements Launcher {
        private final ExecutorService executor;
        private final AtomicInteger running;

        VirtualLauncher(String poolName, AtomicInteger running) {
            this.executor = Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("threadlab-" + poolName + "-", 1).factory());
            this.running = running;
        }

        @Override
        public void launch(Runnable task) {
            executor.execute(task);
        }

        @Override
        public int threads() {
            return running.get();
        }

        @Override
        public void resize(int concurrency) {
            // nothing to do: the dispatcher's limit is the only bound
        }

        @Override
        public List<Runnable> stop() {
            return executor.shutdownNow();
        }

        @Override
        public boolean awaitStopped(Duration timeout) throws InterruptedException {
            return executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
