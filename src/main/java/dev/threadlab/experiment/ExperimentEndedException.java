package dev.threadlab.experiment;

/** An experiment that has ended cannot be cancelled. Immutable; no stack trace. */
public final class ExperimentEndedException extends RuntimeException {

    ExperimentEndedException(String id, ExperimentState state) {
        super("experiment '" + id + "' is " + state + " already", null, false, false);
    }
}
