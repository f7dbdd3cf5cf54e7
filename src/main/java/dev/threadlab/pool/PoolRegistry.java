package dev.threadlab.pool;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The named pools of this instance. The set of pools is fixed at start; each pool is thread-safe. */
public final class PoolRegistry implements AutoCloseable {

    private final Map<String, Pool> byName = new LinkedHashMap<>();

    public PoolRegistry(List<Pool> pools) {
        for (Pool pool : pools) {
            byName.put(pool.name(), pool);
        }
    }

    public Optional<Pool> find(String name) {
        return Optional.ofNullable(name == null ? null : byName.get(name));
    }

    /** The pool names, in configuration order. */
    public Set<String> names() {
        return byName.keySet();
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
