package dev.threadlab.cluster;

/** The shared store did not answer in time or failed: what needs it cannot be answered now; retry shortly. */
public final class StoreUnavailableException extends RuntimeException {

    public static final long RETRY_AFTER_SECONDS = 2;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
