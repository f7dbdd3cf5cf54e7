package dev.threadlab.api;

import dev.threadlab.job.Waiters;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Waits for something to complete, with a timeout, without holding a thread: the request is suspended and
 * resumed by the completion (or the timer). Counted as a waiter meanwhile, and bounded by {@link Waiters}.
 * Stateless apart from the shared counter; thread-safe.
 */
@Singleton
public class AsyncWait {

    private final Waiters waiters;

    public AsyncWait(Waiters waiters) {
        this.waiters = waiters;
    }

    /**
     * A join, like {@code Thread.join(timeout)}: 200 with the view when {@code completion} completes within the
     * timeout, else 202 with the current view and a {@code Retry-After}.
     */
    public Uni<Response> join(CompletionStage<?> completion, Duration timeout, Supplier<Object> view,
                              int retryAfterSeconds) {
        return await(completion, timeout).map(ended -> ended
                ? Response.ok(view.get()).build()
                : Response.accepted(view.get()).header("Retry-After", retryAfterSeconds).build());
    }

    /**
     * Emits true if {@code completion} completes within {@code timeout}, false if not. Resumes on the request's
     * event loop, never on the pool thread that completed it.
     *
     * @throws dev.threadlab.problem.Problem 503 {@code too-many-waiters} beyond the limit
     */
    public Uni<Boolean> await(CompletionStage<?> completion, Duration timeout) {
        if (completion.toCompletableFuture().isDone()) {
            return Uni.createFrom().item(true);
        }
        waiters.enter();
        Context context = Vertx.currentContext();
        Uni<Boolean> waiting = Uni.createFrom().completionStage(completion).map(done -> true)
                .ifNoItem().after(timeout).recoverWithItem(false);
        if (context != null) {
            waiting = waiting.emitOn(command -> context.runOnContext(ignored -> command.run()));
        }
        return waiting.onTermination().invoke(waiters::exit);
    }
}
