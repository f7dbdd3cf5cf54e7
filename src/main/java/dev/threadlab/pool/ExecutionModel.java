package dev.threadlab.pool;

import java.time.Duration;
import java.util.Map;

/**
 * How a pool kind runs one task on the thread it was given. The plain model just calls the task; the GIL
 * model makes it hold an interpreter token while it computes. Implementations are thread-safe.
 */
public interface ExecutionModel {

    void run(TaskHandle handle, PoolTask task);

    /** Changes the switch interval live; false if this kind has none. */
    default boolean setSwitchInterval(Duration interval) {
        return false;
    }

    /** Settings and live figures this kind adds to its pool's description; none by default. */
    default Map<String, Object> describe() {
        return Map.of();
    }

    /** Stops whatever the model runs of its own (e.g. probe threads). */
    default void close() throws InterruptedException {
    }

    /** Calls the task with a context that only checks for cancellation. */
    ExecutionModel PLAIN = (handle, task) -> task.run(new PlainTaskContext(handle));
}
