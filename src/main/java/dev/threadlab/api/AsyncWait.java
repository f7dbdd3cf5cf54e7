package dev.threadlab.api;

import dev.threadlab.job.Waiters;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
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
        return await(completion, timeout, ended -> ended
                ? Response.ok(view.get()).build()
                : Response.accepted(view.get()).header("Retry-After", retryAfterSeconds).build());
    }

    /**
     * Emits {@code answer(true)} if {@code completion} completes within {@code timeout}, {@code answer(false)} if
     * not. Resumes on the calling request's Vert.x context (its event loop), never on the pool thread that
     * completed it. The timer is the event loop's own, so a wait costs no other thread; a client that disconnects
     * ends the wait at once. The answer is built by the wait itself rather than by a further operator, which would
     * cost every answer another subscriber and context-propagation wrapper.
     *
     * @throws dev.threadlab.problem.Problem 503 {@code too-many-waiters} beyond the limit
     * @throws IllegalStateException when called outside a Vert.x context (only requests wait)
     */
    public <T> Uni<T> await(CompletionStage<?> completion, Duration timeout, Function<Boolean, T> answer) {
        if (completion.toCompletableFuture().isDone()) {
            // no waiter: an ended job is answered even at the waiter limit
            return Uni.createFrom().item(() -> answer.apply(true));
        }
        Context context = Objects.requireNonNull(Vertx.currentContext(), "a wait needs the request's Vert.x context");
        waiters.enter();
        return Uni.createFrom().emitter(emitter -> new Wait<>(emitter, answer, context, timeout).start(completion));
    }

    /**
     * One wait. It ends exactly once, by whichever comes first of the completion, the timer and a cancellation
     * (the client went away): {@code ended} decides, and the winner frees the waiter slot. The timer id is written
     * and read on the context's event loop only.
     */
    private final class Wait<T> {
        private final UniEmitter<? super T> emitter;
        private final Function<Boolean, T> answer;
        private final Context context;
        private final Duration timeout;
        private final AtomicBoolean ended = new AtomicBoolean();
        private long timerId = -1;

        Wait(UniEmitter<? super T> emitter, Function<Boolean, T> answer, Context context, Duration timeout) {
            this.emitter = emitter;
            this.answer = answer;
            this.context = context;
            this.timeout = timeout;
        }

        void start(CompletionStage<?> completion) {
            emitter.onTermination(() -> end(null));
            timerId = context.owner().setTimer(Math.max(1, timeout.toMillis()), id -> end(false));
            completion.whenComplete((result, failure) -> {
                if (Vertx.currentContext() == context) {
                    end(true); // completed already, while this wait was being set up
                } else {
                    context.runOnContext(ignored -> end(true));
                }
            });
        }

        /** @param completed true or false to emit, null when the subscriber cancelled and nothing is emitted */
        private void end(Boolean completed) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            if (timerId >= 0 && !Boolean.FALSE.equals(completed)) {
                context.owner().cancelTimer(timerId);
            }
            waiters.exit();
            if (completed != null) {
                T result;
                try {
                    result = answer.apply(completed);
                } catch (RuntimeException e) {
                    emitter.fail(e);
                    return;
                }
                emitter.complete(result);
            }
        }
    }
}
