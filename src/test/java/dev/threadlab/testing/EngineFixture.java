package dev.threadlab.testing;

import dev.threadlab.gil.GilExecutionModel;
import dev.threadlab.gil.GilListener;
import dev.threadlab.job.EngineSettings;
import dev.threadlab.job.IdGenerator;
import dev.threadlab.job.Job;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.JobEvents;
import dev.threadlab.job.JobRequest;
import dev.threadlab.job.JobView;
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
import dev.threadlab.workload.Workload;
import dev.threadlab.workload.WorkloadCatalog;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import static org.awaitility.Awaitility.await;

/**
 * A real engine with small pools, for tests: {@code cpu} (2 platform threads), {@code io} (virtual), {@code gil}
 * (one token, 1 ms interval) and {@code procs} (2 interpreters); the five workloads plus any a test adds.
 */
public final class EngineFixture implements AutoCloseable {

    public final PoolRegistry pools;
    public final FileSpace files;
    public final JobEngine engine;

    public EngineFixture(Path tempDir, int maxRetained, int cpuQueue) {
        this(tempDir, maxRetained, cpuQueue, 64L << 20, JobEvents.NONE, List.of());
    }

    public EngineFixture(Path tempDir, int maxRetained, int cpuQueue, long fileBudget, JobEvents events,
                         List<Workload> extraWorkloads) {
        pools = new PoolRegistry(List.of(
                Pool.platform("cpu", new PoolSettings(2, cpuQueue), ExecutionModel.PLAIN, HandOff.IMMEDIATE),
                Pool.virtual("io", new PoolSettings(10_000, 10_000), HandOff.IMMEDIATE),
                Pool.gil("gil", new PoolSettings(4, 10_000),
                        new GilExecutionModel("gil", 1, Duration.ofMillis(1), GilListener.NONE), HandOff.IMMEDIATE),
                Pool.gil("procs", new PoolSettings(4, 100),
                        new GilExecutionModel("procs", 2, Duration.ofMillis(1), GilListener.NONE), HandOff.IMMEDIATE)));
        files = new FileSpace(tempDir, fileBudget);
        List<Workload> workloads = new ArrayList<>(List.of(new CpuWorkload(10_000_000_000L),
                new IoWorkload(60_000, 10_000), new FileWorkload(files, 8L << 20), new MixedWorkload(100, 1_000_000_000L, 60_000),
                new CounterWorkload(100_000_000)));
        workloads.addAll(extraWorkloads);
        engine = new JobEngine(new WorkloadCatalog(workloads), pools,
                new EngineSettings(256, 60_000, 3_600_000, Duration.ofMinutes(15), maxRetained),
                new IdGenerator(Optional.of("test")), events);
    }

    public Job submit(String workload, String pool, int tasks, Map<String, Object> params) {
        return engine.submit(new JobRequest(workload, pool, tasks, params, null));
    }

    /** The job once it has ended (at most a minute). */
    public static JobView join(Job job) throws Exception {
        if (!job.completion().await(Duration.ofSeconds(60))) {
            throw new AssertionError("job " + job.id() + " did not end in 60 s: " + job.view());
        }
        return job.view();
    }

    public static void awaitTrue(BooleanSupplier condition) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5)).until(condition::getAsBoolean);
    }

    @Override
    public void close() throws Exception {
        engine.close();
        pools.close();
        files.close();
    }
}
