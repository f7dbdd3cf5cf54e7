package dev.threadlab.experiment;

/** No experiment with this id: it never existed or was evicted. Immutable; no stack trace. */
public final class ExperimentNotFoundException extends RuntimeException {

    private ExperimentNotFoundException(String detail) {
        super(detail, null, false, false);
    }

    static ExperimentNotFoundException here(String id) {
        return new ExperimentNotFoundException("no experiment '" + id + "' here: it never existed or was evicted");
    }

    /** Neither this instance nor the shared store holds it. */
    public static ExperimentNotFoundException inCluster(String id) {
        return new ExperimentNotFoundException("no experiment '" + id
                + "' on any instance: it never existed or was evicted");
    }
}
