package dev.threadlab.workload;

/** Where a workload reports contention it measured (e.g. to metrics). Thread-safe, non-blocking. */
public interface ContentionSink {

    /** A task waited this long for a contended lock. */
    default void lockWaited(long nanos) {
    }

    /** A job's unsynchronised updates lost this many increments. */
    default void updatesLost(long count) {
    }

    ContentionSink NONE = new ContentionSink() {
    };
}
