package dev.threadlab.pool;

/** Thrown inside a task when it notices that it was cancelled; ends the task as cancelled. */
public final class TaskCancelledException extends RuntimeException {
    public TaskCancelledException() {
        super("task cancelled", null, false, false);
    }
}
