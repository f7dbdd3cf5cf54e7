package dev.threadlab.config;

import dev.threadlab.pool.PoolKind;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The whole configuration tree of threadlab, under the prefix {@code threadlab}. Every key can be
 * overridden by an environment variable ({@code threadlab.pools.cpu.threads} → {@code THREADLAB_POOLS_CPU_THREADS}).
 */
@ConfigMapping(prefix = "threadlab")
public interface ThreadlabConfig {

    /** Named pools. {@code cpu} and {@code io} are defined in application.properties; add more the same way. */
    Map<String, PoolConfig> pools();

    Jobs jobs();

    Limits limits();

    Shutdown shutdown();

    Admin admin();

    Streams streams();

    /** Short prefix of every job id, so an id tells which instance owns it. Random when unset. */
    Optional<String> instanceId();

    /**
     * Where jobs are kept for other instances: {@code memory} (this instance only) or {@code redis} (several
     * instances behave as one service, sharing {@code quarkus.redis.hosts}). Env {@code THREADLAB_STORE}.
     */
    @WithDefault("memory")
    Store store();

    enum Store { MEMORY, REDIS }

    Cluster cluster();

    /** How the instances of a redis store keep track of each other. */
    interface Cluster {
        /** How often an instance says it is alive (and writes its figures). */
        @WithDefault("2s")
        Duration heartbeat();

        /** An instance silent this long is lost: its unfinished jobs end FAILED (instance-lost). */
        @WithDefault("8s")
        Duration instanceTimeout();

        /** How long a cancel waits for the owning instance to confirm it. */
        @WithDefault("1s")
        Duration cancelWait();

        /** How long a pool change waits for the other instances to confirm it. */
        @WithDefault("2s")
        Duration patchWait();
    }

    interface PoolConfig {
        PoolKind kind();

        /** Platform threads (platform and gil pools). Default: available processors (platform), 16 (gil). */
        OptionalInt threads();

        /** Tokens of a gil pool: 1 = one shared GIL; N = N interpreters (like processes); 0 = one per available processor. */
        @WithDefault("1")
        int interpreters();

        /** How long a gil pool's waiter lets the holder run before it requests the token (CPython: sys.setswitchinterval). */
        @WithDefault("5ms")
        Duration switchInterval();

        /** Tasks running at once (virtual pools). */
        @WithDefault("10000")
        int maxConcurrency();

        /** Tasks that may wait for a thread or a permit beyond those running. */
        @WithDefault("10000")
        int queueCapacity();
    }

    interface Jobs {
        /** Finished jobs are kept this long for GET and join, then evicted. */
        @WithDefault("15m")
        Duration retention();

        /** At most this many finished jobs are kept; the oldest is evicted first. */
        @WithDefault("10000")
        int maxRetained();

        /** Deadline of a job that names none. */
        @WithDefault("5m")
        Duration defaultTimeout();

        /** Longest wait a client may ask for with ?wait, Prefer: wait, or join?timeout; longer asks are capped. */
        @WithDefault("60s")
        Duration maxWait();

        /** Join and wait requests waiting at once; beyond it a request is refused with 503. */
        @WithDefault("10000")
        int maxWaiters();
    }

    /** What happens on SIGTERM. Defaults fit a 30 s termination grace period (5 + 15 + a few seconds to stop). */
    interface Shutdown {
        /** Readiness is DOWN and submissions get 503 for this long, while reads and joins are still served. */
        @WithDefault("5s")
        Duration delay();

        /** Then running jobs get this long to finish before the rest are cancelled. */
        @WithDefault("15s")
        Duration drain();
    }

    /** Operations that change the service for everyone (PATCH /pools/{name}). */
    interface Admin {
        /** When set, those operations need {@code Authorization: Bearer <token>}; unset, they are disabled (403). */
        Optional<String> token();
    }

    /** Server-Sent Events streams (GET /events, /jobs/{id}/events, /pools/{name}/timeline). */
    interface Streams {
        /** Streams open at once; beyond it a new one is refused with 503. Each costs a connection, never a thread. */
        @WithDefault("200")
        int maxOpen();
    }

    /** Upper bounds of every client-supplied number. */
    interface Limits {
        @WithDefault("256")
        int tasks();

        @WithDefault("3600000")
        long timeoutMs();

        @WithDefault("10000000000")
        long cpuIterations();

        @WithName("io-duration-ms")
        @WithDefault("60000")
        long ioDurationMs();

        @WithDefault("10000")
        int ioChunks();

        @WithDefault("67108864")
        long fileBytes();

        /** Bytes that file tasks may hold on disk at once, across all jobs; tasks beyond it wait. */
        @WithDefault("1073741824")
        long fileBytesInFlight();

        @WithDefault("10000")
        int mixedRounds();

        @WithDefault("100000000")
        long counterIncrements();

        @WithDefault("1000")
        int listLimit();

        @WithDefault("1000")
        int waitIds();

        /** Characters of a request target (path and query); longer ones are refused with 414. */
        @WithDefault("8192")
        int uriLength();

        /** Bytes of request headers; more are refused with 431. */
        @WithDefault("20480")
        int headerBytes();
    }
}
