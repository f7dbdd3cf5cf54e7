package dev.threadlab.app;

import dev.threadlab.admin.AdminToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadlab.cluster.Cluster;
import dev.threadlab.cluster.ClusterSettings;
import dev.threadlab.config.ThreadlabConfig;
import dev.threadlab.experiment.ExperimentService;
import dev.threadlab.gil.GilExecutionModel;
import dev.threadlab.gil.GilListenerFactory;
import dev.threadlab.job.EngineSettings;
import dev.threadlab.job.IdGenerator;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.JobEvents;
import dev.threadlab.job.Waiters;
import dev.threadlab.live.StreamSlots;
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
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds the engine, pools and workloads from configuration at start-up and stops them in order at shutdown:
 * jobs are cancelled first, then pools are shut down (threads joined), then the file workload's folder is removed.
 */
@Singleton
@Startup
public class ThreadlabRuntime {

    private static final Logger LOG = Logger.getLogger(ThreadlabRuntime.class);
    private static final int DEFAULT_GIL_THREADS = 16;
    private static final Duration SHUTDOWN_FLUSH = Duration.ofSeconds(1);

    private final PoolRegistry pools;
    private final FileSpace fileSpace;
    private final JobEngine engine;
    private final Waiters waiters;
    private final AdminToken admin;
    private final ExperimentService experiments;
    private final StreamSlots streamSlots;
    private final Cluster cluster;

    public ThreadlabRuntime(ThreadlabConfig config, JobEvents events, GilListenerFactory gilListeners,
                            ObjectMapper json, Vertx vertx, Instance<Redis> redis) {
        ThreadlabConfig.Limits limits = config.limits();
        this.pools = new PoolRegistry(buildPools(config.pools(), gilListeners));
        this.fileSpace = new FileSpace(Path.of(System.getProperty("java.io.tmpdir")), limits.fileBytesInFlight());
        WorkloadCatalog catalog = new WorkloadCatalog(List.of(
                new CpuWorkload(limits.cpuIterations()),
                new IoWorkload(limits.ioDurationMs(), limits.ioChunks()),
                new FileWorkload(fileSpace, limits.fileBytes()),
                new MixedWorkload(limits.mixedRounds(), limits.cpuIterations(), limits.ioDurationMs()),
                new CounterWorkload(limits.counterIncrements())));
        ThreadlabConfig.Jobs jobs = config.jobs();
        EngineSettings settings = new EngineSettings(limits.tasks(), jobs.defaultTimeout().toMillis(),
                limits.timeoutMs(), jobs.retention(), jobs.maxRetained());
        IdGenerator ids = new IdGenerator(config.instanceId());
        ThreadlabConfig.Cluster shared = config.cluster();
        ClusterSettings clusterSettings = new ClusterSettings(shared.heartbeat(), shared.instanceTimeout(),
                shared.cancelWait(), shared.patchWait(), jobs.retention(), jobs.maxRetained(), limits.timeoutMs(),
                jobs.maxWait());
        this.cluster = config.store() == ThreadlabConfig.Store.REDIS
                ? Cluster.redis(ids.instance(), clusterSettings, json, redis.get(), vertx)
                : Cluster.memory(ids.instance(), clusterSettings, json);
        JobEvents replication = cluster.jobEvents();
        this.engine = new JobEngine(catalog, pools, settings, ids,
                replication == JobEvents.NONE ? events : JobEvents.both(events, replication));
        this.waiters = new Waiters(jobs.maxWaiters());
        this.admin = new AdminToken(config.admin().token());
        this.streamSlots = new StreamSlots(config.streams().maxOpen());
        this.experiments = new ExperimentService(engine, new IdGenerator(Optional.of(engine.instance())),
                ExperimentService.Limits.DEFAULT);
        cluster.start(engine, experiments, events);
        if (!admin.enabled()) {
            LOG.info("admin operations (PATCH /pools/{name}) are disabled: set threadlab.admin.token (env THREADLAB_ADMIN_TOKEN) to enable them");
        }
        LOG.infof("threadlab instance '%s' ready with pools %s, store %s", engine.instance(),
                pools.all().stream().map(pool -> pool.name() + "(" + pool.kind().id() + ")").toList(),
                cluster.health().store());
    }

    private static List<Pool> buildPools(Map<String, ThreadlabConfig.PoolConfig> configs, GilListenerFactory gilListeners) {
        List<Pool> pools = new ArrayList<>();
        HandOff handOff = new EventLoopHandOff();
        int processors = Runtime.getRuntime().availableProcessors();
        new TreeMap<>(configs).forEach((name, pool) -> pools.add(switch (pool.kind()) {
            case PLATFORM -> Pool.platform(name,
                    new PoolSettings(pool.threads().orElse(processors), pool.queueCapacity()), ExecutionModel.PLAIN, handOff);
            case VIRTUAL -> Pool.virtual(name, new PoolSettings(pool.maxConcurrency(), pool.queueCapacity()), handOff);
            case GIL -> Pool.gil(name, new PoolSettings(pool.threads().orElse(DEFAULT_GIL_THREADS), pool.queueCapacity()),
                    new GilExecutionModel(name, pool.interpreters() == 0 ? processors : pool.interpreters(),
                            pool.switchInterval(), gilListeners.forPool(name)), handOff);
        }));
        return pools;
    }

    @Produces
    @Singleton
    JobEngine engine() {
        return engine;
    }

    @Produces
    @Singleton
    PoolRegistry pools() {
        return pools;
    }

    @Produces
    @Singleton
    Waiters waiters() {
        return waiters;
    }

    @Produces
    @Singleton
    ExperimentService experiments() {
        return experiments;
    }

    @Produces
    @Singleton
    AdminToken admin() {
        return admin;
    }

    @Produces
    @Singleton
    StreamSlots streamSlots() {
        return streamSlots;
    }

    @Produces
    @Singleton
    Cluster cluster() {
        return cluster;
    }

    @Produces
    @Singleton
    FileSpace fileSpace() {
        return fileSpace;
    }

    @PreDestroy
    void stop() {
        experiments.close();
        engine.close();
        cluster.flush(SHUTDOWN_FLUSH); // the jobs cancelled just now, as others should see them
        cluster.close();
        try {
            pools.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fileSpace.close();
        LOG.info("threadlab stopped: jobs cancelled, pools shut down, temp files removed");
    }
}
