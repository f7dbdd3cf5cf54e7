package dev.threadlab.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Guards operations that change the service for everyone (e.g. resizing a pool), as Prometheus guards its admin
 * API: disabled unless a token is configured, and then they need {@code Authorization: Bearer <token>}. Immutable;
 * the comparison takes the same time whatever the token sent, so it leaks nothing about the right one.
 */
public final class AdminToken {

    /** The configuration key that enables admin operations; also settable as env {@code THREADLAB_ADMIN_TOKEN}. */
    public static final String PROPERTY = "threadlab.admin.token";

    private final byte[] expected;

    public AdminToken(Optional<String> token) {
        this.expected = token.filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    /** Whether admin operations are enabled (a token is configured). */
    public boolean enabled() {
        return expected != null;
    }

    /**
     * @throws AdminRefusedException when admin operations are disabled, or the header does not carry the token
     */
    public void check(String authorization) {
        if (expected == null) {
            throw new AdminRefusedException(true);
        }
        String prefix = "Bearer ";
        boolean ok = authorization != null && authorization.regionMatches(true, 0, prefix, 0, prefix.length())
                && MessageDigest.isEqual(expected, authorization.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8));
        if (!ok) {
            throw new AdminRefusedException(false);
        }
    }
}
