package dev.threadlab.job;

/** A job that has ended already cannot be cancelled. Immutable; no stack trace. */
public final class JobEndedException extends RuntimeException {

    private final JobState state;

    public JobEndedException(String id, JobState state) {
        super("job '" + id + "' is " + state + " already and cannot be cancelled", null, false, false);
        this.state = state;
    }

    public JobState state() {
        return state;
    }
}
