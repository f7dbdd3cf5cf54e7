package dev.threadlab.job;

import java.util.Locale;

/** Lifecycle of a job: QUEUED → RUNNING → one of the terminal states (QUEUED may end directly). */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT;

    public boolean terminal() {
        return this != QUEUED && this != RUNNING;
    }

    /** Lower-case id for metric labels. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
