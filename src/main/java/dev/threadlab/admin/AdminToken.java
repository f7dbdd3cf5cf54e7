package dev.threadlab.admin;

import dev.threadlab.problem.Problem;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Guards operations that change the service for everyone (e.g. resizing a pool). With a token configured they need
 * {@code Authorization: Bearer <token>}; without one they stay open, for demos. Immutable; the comparison takes the
 * same time whatever the token sent, so it leaks nothing about the right one.
 */
public final class AdminToken {

    private final byte[] expected;

    public AdminToken(Optional<String> token) {
        this.expected = token.filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    public boolean open() {
        return expected == null;
    }

    /** @throws Problem 401 {@code unauthorized} unless the header carries the configured token (or none is configured) */
    public void check(String authorization) {
        if (expected == null) {
            return;
        }
        String prefix = "Bearer ";
        boolean ok = authorization != null && authorization.regionMatches(true, 0, prefix, 0, prefix.length())
                && MessageDigest.isEqual(expected, authorization.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8));
        if (!ok) {
            throw Problem.of(401, "unauthorized", "Unauthorized",
                            "this operation changes the service for everyone and needs 'Authorization: Bearer <admin token>'")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"threadlab\"");
        }
    }
}
