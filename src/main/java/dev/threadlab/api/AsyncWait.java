package dev.threadlab.api;

import dev.threadlab.job.Waiters;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Waits for something to complete, with a timeout, without holding a thread: the request is suspended and
 * resumed by the completion (or the timer). Counted as a waiter meanwhile, and bounded by {@link Waiters}.
 * Answers are plain {@link CompletableFuture}s, which Quarkus REST resumes on without the subscribers and
 * context-propagation wrappers a Mutiny pipeline costs every answer, and cancels when the client goes away.
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
    public CompletionStage<Response> join(CompletionStage<?> completion, Duration timeout, Supplier<Object> view,
                                          int retryAfterSeconds) {
        return await(completion, timeout, ended -> ended
                ? Response.ok(view.get()).build()
                : Response.accepted(view.get()).header("Retry-After", retryAfterSeconds).build());
    }

    /**
     * Completes with {@code answer(true)} if {@code completion} completes within {@code timeout}, with
     * {@code answer(false)} if not. Resumes on the calling request's Vert.x context (its event loop), never on the
     * pool thread that completed it. The timer is the event loop's own, so a wait costs no other thread; a client
     * that disconnects (Quarkus REST then cancels the answer) ends the wait at once.
     *
     * @throws dev.threadlab.problem.Problem 503 {@code too-many-waiters} beyond the limit
     * @throws IllegalStateException when called outside a Vert.x context (only requests wait)
     */
    public <T> CompletionStage<T> await(CompletionStage<?> completion, Duration timeout, Function<Boolean, T> answer) {
        if (completion.toCompletableFuture().isDone()) {
            // no waiter: an ended job is answered even at the waiter limit
            return CompletableFuture.completedFuture(answer.apply(true));
        }
        Context context = Objects.requireNonNull(Vertx.currentContext(), "a wait needs the request's Vert.x context");
        waiters.enter();
        CompletableFuture<T> result = new CompletableFuture<>();
        new Wait<>(result, answer, context, timeout).start(completion);
        return result;
    }

    /**
     * One wait. It ends exactly once, by whichever comes first of the completion, the timer and a cancellation
     * (the client went away): {@code ended} decides, and the winner frees the waiter slot. The timer id is written
     * and read on the context's event loop only.
     */
    private final class Wait<T> {
        private final CompletableFuture<T> result;
        private final Function<Boolean, T> answer;
        private final Context context;
        private final Duration timeout;
        private final AtomicBoolean ended = new AtomicBoolean();
        private long timerId = -1;

        Wait(CompletableFuture<T> result, Function<Boolean, T> answer, Context context, Duration timeout) {
            this.result = result;
            this.answer = answer;
            this.context = context;
            this.timeout = timeout;
        }

        void start(CompletionStage<?> completion) {
            timerId = context.owner().setTimer(Math.max(1, timeout.toMillis()), id -> end(false));
            result.whenComplete((answered, cancelled) -> end(null)); // a no-op unless the answer was cancelled
            completion.whenComplete((done, failure) -> {
                if (Vertx.currentContext() == context) {
                    end(true); // completed already, while this wait was being set up
                } else {
                    context.runOnContext(ignored -> end(true));
                }
            });
        }

        /** @param completed true or false to answer with, null when the answer was cancelled */
        private void end(Boolean completed) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            if (timerId >= 0 && !Boolean.FALSE.equals(completed)) {
                context.owner().cancelTimer(timerId);
            }
            waiters.exit();
            if (completed != null) {
                try {
                    result.complete(answer.apply(completed));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            }
        }
    }
}
