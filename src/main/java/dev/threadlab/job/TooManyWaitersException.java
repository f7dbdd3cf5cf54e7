package dev.threadlab.job;

/** As many join and wait requests are waiting as the limit allows. Immutable; no stack trace. */
public final class TooManyWaitersException extends RuntimeException {

    private final int limit;

    TooManyWaitersException(int waiting, int limit) {
        super(waiting + " join/wait requests are waiting already (limit " + limit
                + "); poll GET /jobs/{id} or retry later", null, false, false);
        this.limit = limit;
    }

    public int limit() {
        return limit;
    }
}
