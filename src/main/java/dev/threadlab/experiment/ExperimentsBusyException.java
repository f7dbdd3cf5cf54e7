package dev.threadlab.experiment;

/** As many experiments wait to run as the queue holds; they run one at a time. Immutable; no stack trace. */
public final class ExperimentsBusyException extends RuntimeException {

    /** A point of an experiment takes seconds; a retry sooner than this would only be refused again. */
    public static final long RETRY_AFTER_SECONDS = 30;

    ExperimentsBusyException(int queued) {
        super(queued + " experiments wait already; they run one at a time", null, false, false);
    }
}
