package dev.threadlab.live;

/** As many event streams are open as the limit allows. Immutable; no stack trace. */
public final class TooManyStreamsException extends RuntimeException {

    /** Streams are long-lived: a retry within seconds would likely be refused again. */
    public static final long RETRY_AFTER_SECONDS = 10;

    private final int limit;

    TooManyStreamsException(int limit) {
        super(limit + " event streams are open already (threadlab.streams.max-open); close one or retry later",
                null, false, false);
        this.limit = limit;
    }

    public int limit() {
        return limit;
    }
}
