package dev.threadlab.problem;

/**
 * The vocabulary of problem types (RFC 9457): a type is a URI under one base, named by a slug such as
 * {@code task-failed}. Shared by the engine (a failed job's {@code error}) and the HTTP layer (error answers).
 */
public final class ProblemTypes {

    public static final String TYPE_BASE = "https://threadlab.dev/problems/";

    private ProblemTypes() {
    }

    public static String uri(String slug) {
        return TYPE_BASE + slug;
    }
}
