package dev.threadlab.admin;

/** An admin operation was refused: admin operations are disabled, or the token is missing or wrong. Immutable. */
public final class AdminRefusedException extends RuntimeException {

    private final boolean disabled;

    AdminRefusedException(boolean disabled) {
        super(disabled
                ? "admin operations are disabled: start the service with " + AdminToken.PROPERTY
                        + " set (env THREADLAB_ADMIN_TOKEN=<a secret>) and send 'Authorization: Bearer <that secret>'"
                : "this operation changes the service for everyone and needs 'Authorization: Bearer <admin token>'",
                null, false, false);
        this.disabled = disabled;
    }

    /** True when no token is configured at all (no token sent could help). */
    public boolean disabled() {
        return disabled;
    }
}
