package dev.threadlab.pool;

/**
 * The live, changeable settings of a pool. Immutable; a change replaces the whole record.
 *
 * @param concurrency   tasks running at once: the thread count of a platform pool, max-concurrency of a virtual one
 * @param queueCapacity tasks that may wait beyond those running
 */
public record PoolSettings(int concurrency, int queueCapacity) {

    public PoolSettings {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1");
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("queueCapacity must be >= 0");
        }
    }

    /** Tasks the pool holds at most: running plus waiting. */
    public long capacity() {
        return (long) concurrency + queueCapacity;
    }
}
