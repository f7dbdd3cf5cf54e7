package dev.threadlab.testing;

import dev.threadlab.pool.Pool;
import dev.threadlab.pool.PoolTask;
import dev.threadlab.pool.TaskHandle;

import java.util.List;

/** Submits tasks to a pool directly, as the engine does for a job: room for all of them, then queue them. */
public final class PoolTasks {

    private PoolTasks() {
    }

    public static List<TaskHandle> submitAll(Pool pool, List<? extends PoolTask> tasks) {
        return pool.reserve(tasks.size()).queue(tasks);
    }
}
