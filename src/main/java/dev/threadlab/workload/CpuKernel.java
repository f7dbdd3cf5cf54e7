package dev.threadlab.workload;

import dev.threadlab.pool.TaskContext;

/**
 * The deterministic CPU-bound kernel: a chain of 64-bit mixing steps where each step depends on the previous
 * one, so the JIT can neither vectorise nor skip it, and the final value is a checksum any run of the same
 * length reproduces. One iteration costs a few nanoseconds on a current x86-64 core (measured figure in the
 * README). Stateless and thread-safe.
 */
public final class CpuKernel {

    /** Iterations between two checkpoints: a few microseconds, far below the 100 µs a GIL pool needs. */
    static final int CHECKPOINT_EVERY = 1024;
    private static final long SEED = 0x2545F4914F6CDD1DL;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private CpuKernel() {
    }

    /** Runs {@code iterations} steps, offering a checkpoint every {@link #CHECKPOINT_EVERY}; returns the checksum. */
    public static long run(long iterations, TaskContext context) {
        long h = SEED;
        long remaining = iterations;
        while (remaining > 0) {
            int batch = (int) Math.min(CHECKPOINT_EVERY, remaining);
            for (int i = 0; i < batch; i++) {
                h = step(h);
            }
            remaining -= batch;
            context.checkpoint();
        }
        return h;
    }

    /** The checksum of a run of {@code iterations} steps, computed without a task (for verification). */
    public static long checksum(long iterations) {
        long h = SEED;
        for (long i = 0; i < iterations; i++) {
            h = step(h);
        }
        return h;
    }

    /** Two rounds of MurmurHash3's finaliser over a Weyl-sequence increment. */
    private static long step(long h) {
        long x = h + GOLDEN;
        x = (x ^ (x >>> 33)) * 0xFF51AFD7ED558CCDL;
        x = (x ^ (x >>> 33)) * 0xC4CEB9FE1A85EC53L;
        x ^= x >>> 33;
        x = (x ^ (x >>> 31)) * 0xBF58476D1CE4E5B9L;
        return x ^ (x >>> 29);
    }

    public static String hex(long checksum) {
        String digits = Long.toHexString(checksum); // unsigned, as %x; padded here without a Formatter
        return "0".repeat(16 - digits.length()) + digits;
    }
}
