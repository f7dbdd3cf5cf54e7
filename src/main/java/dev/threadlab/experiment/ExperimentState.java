package dev.threadlab.experiment;

/** Lifecycle of an experiment. */
public enum ExperimentState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT;

    public boolean terminal() {
        return this != QUEUED && this != RUNNING;
    }
}
