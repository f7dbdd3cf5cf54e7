package dev.threadlab.pool;

import dev.threadlab.problem.Problem;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The named pools of this instance. The set of pools is fixed at start; each pool is thread-safe. */
public final class PoolRegistry implements AutoCloseable {

    private final Map<String, Pool> byName = new LinkedHashMap<>();

    public PoolRegistry(List<Pool> pools) {
        for (Pool pool : pools) {
            byName.put(pool.name(), pool);
        }
    }

    /** @throws Problem 400 listing the valid names */
    public Pool get(String name) {
        Pool pool = byName.get(name);
        if (pool == null) {
            throw Problem.invalidField("pool", name, "one of " + byName.keySet());
        }
        return pool;
    }

    /** @throws Problem 404 when there is no such pool */
    public Pool find(String name) {
        Pool pool = byName.get(name);
        if (pool == null) {
            throw Problem.notFound("pool", "no pool named '" + name + "'; pools: " + byName.keySet());
        }
        return pool;
    }

    public Collection<Pool> all() {
        return byName.values();
    }

    /** Shuts every pool down, sharing the timeout between them. */
    @Override
    public void close() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (Pool pool : byName.values()) {
            pool.shutdown(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }
}
