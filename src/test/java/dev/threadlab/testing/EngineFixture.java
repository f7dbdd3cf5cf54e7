package dev.threadlab.testing;

import dev.threadlab.gil.GilExecutionModel;
import dev.threadlab.job.EngineSettings;
import dev.threadlab.job.IdGenerator;
import dev.threadlab.job.Job;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.JobObserver;
import dev.threadlab.job.JobRequest;
import dev.threadlab.job.JobView;
import dev.threadlab.gil.GilListener;
import dev.threadlab.pool.ExecutionModel;
import dev.threadlab.pool.HandOff;
import dev.threadlab.pool.Pool;
import dev.threadlab.pool.PoolRegistry;
import dev.threadlab.pool.PoolSettings;
import dev.threadlab.workload.CounterWorkload;
import dev.threadlab.workload.CpuWorkload;
import dev.threadlab.workload.FileSpace;
import dev.threadlab.workload.FileWorkload;
import dev.threadlab.workload.IoWorkload;
import dev.threadlab.workload.MixedWorkload;
import dev.threadlab.workload.WorkloadCatalog;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A real engine with small pools, for tests: {@code cpu} (2 platform threads), {@code io} (virtual),
 * {@code gil} and {@code procs} (2 interpreters). */
public final class EngineFixture implements AutoCloseable {

    public final PoolRegistry pools;
    public final FileSpace files;
    public final JobEngine engine;

    public EngineFixture(Path tempDir, int maxRetained, int cpuQueue) {
        pools = new PoolRegistry(List.of(
                Pool.platform("cpu", new PoolSettings(2, cpuQueue), ExecutionModel.PLAIN, HandOff.IMMEDIATE),
                Pool.virtual("io", new PoolSettings(1000, 1000), HandOff.IMMEDIATE),
                Pool.gil("gil", new PoolSettings(4, 100),
                        new GilExecutionModel("gil", 1, Duration.ofMillis(1), GilListener.NONE), HandOff.IMMEDIATE),
                Pool.gil("procs", new PoolSettings(4, 100),
                        new GilExecutionModel("procs", 2, Duration.ofMillis(1), GilListener.NONE), HandOff.IMMEDIATE)));
        files = new FileSpace(tempDir, 64L << 20);
        WorkloadCatalog catalog = new WorkloadCatalog(List.of(new CpuWorkload(10_000_000_000L),
                new IoWorkload(60_000, 10_000), new FileWorkload(files, 8L << 20), new MixedWorkload(100, 1_000_000_000L, 60_000),
                new CounterWorkload(100_000_000)));
        engine = new JobEngine(catalog, pools, new EngineSettings(256, 60_000, 3_600_000, Duration.ofMinutes(15), maxRetained),
                new IdGenerator(Optional.of("test")), JobObserver.NONE);
    }

    public Job submit(String workload, String pool, int tasks, Map<String, Object> params) {
        return engine.submit(new JobRequest(workload, pool, tasks, params, null));
    }

    public static JobView join(Job job) throws Exception {
        return job.completion().toCompletableFuture().get(60, TimeUnit.SECONDS).view();
    }

    public static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 20 s");
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() throws Exception {
        engine.close();
        pools.close();
        files.close();
    }
}
