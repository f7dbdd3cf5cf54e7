package dev.threadlab.job;

import java.util.Optional;

/**
 * No job with this id here: it never existed, was evicted, or belongs to another instance (ids name their
 * instance). Immutable; no stack trace (it is an answer, not a fault).
 */
public final class JobNotFoundException extends RuntimeException {

    private final String id;
    private final String instance;
    private final String ownerInstance;

    public JobNotFoundException(String id, String instance, String ownerInstance, String detail) {
        super(detail, null, false, false);
        this.id = id;
        this.instance = instance;
        this.ownerInstance = ownerInstance;
    }

    public String id() {
        return id;
    }

    /** This instance. */
    public String instance() {
        return instance;
    }

    /** The instance the id names, when it is another one. */
    public Optional<String> ownerInstance() {
        return Optional.ofNullable(ownerInstance);
    }
}
