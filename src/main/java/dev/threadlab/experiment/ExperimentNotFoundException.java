package dev.threadlab.experiment;

/** No experiment with this id here: it never existed or was evicted. Immutable; no stack trace. */
public final class ExperimentNotFoundException extends RuntimeException {

    ExperimentNotFoundException(String id) {
        super("no experiment '" + id + "' here: it never existed or was evicted", null, false, false);
    }
}
