package dev.threadlab.job;

import java.util.Locale;

/** How one task of a job ended. */
public enum TaskOutcome {
    SUCCEEDED, FAILED,
    /** It ran and stopped at a cancellation check. */
    CANCELLED,
    /** It never ran: dropped from the queue by a cancel, a deadline or shutdown. */
    DISCARDED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
