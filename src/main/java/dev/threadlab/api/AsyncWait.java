package dev.threadlab.api;

import dev.threadlab.job.Awaitable;
import dev.threadlab.job.Waiters;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Waits for something to end, with a timeout, without holding a thread: the request is suspended and resumed by
 * the end (or the timer). Counted as a waiter meanwhile, and bounded by {@link Waiters}. However a wait ends (the
 * awaited ended, the timer fired, the client went away and Quarkus REST cancelled the answer), it detaches from
 * what it awaited and frees its waiter slot, so a client polling a long job with short timeouts leaves nothing
 * behind. Stateless apart from the shared counter; thread-safe.
 */
@Singleton
public class AsyncWait {

    private final Waiters waiters;

    public AsyncWait(Waiters waiters) {
        this.waiters = waiters;
    }

    /**
     * A join, like {@code Thread.join(timeout)}: 200 with the view when {@code awaited} ends within the timeout,
     * else 202 with the current view and a {@code Retry-After}.
     */
    public CompletionStage<Response> join(Awaitable awaited, Duration timeout, Supplier<Object> view,
                                          int retryAfterSeconds) {
        return await(awaited, timeout, ended -> ended
                ? Response.ok(view.get()).build()
                : Response.accepted(view.get()).header("Retry-After", retryAfterSeconds).build());
    }

    /**
     * Completes with {@code answer(true)} if {@code awaited} ends within {@code timeout}, with {@code answer(false)}
     * if not. Resumes on the calling request's Vert.x context (its event loop), never on the thread that ended the
     * awaited. The timer is the event loop's own, so a wait costs no other thread.
     *
     * @throws dev.threadlab.job.TooManyWaitersException beyond the limit
     * @throws NullPointerException when called outside a Vert.x context (only requests wait)
     */
    public <T> CompletionStage<T> await(Awaitable awaited, Duration timeout, Function<Boolean, T> answer) {
        if (awaited.isDone()) {
            // no waiter: an ended job is answered even at the waiter limit
            return CompletableFuture.completedFuture(answer.apply(true));
        }
        return await(reserve(), awaited, timeout, answer);
    }

    /**
     * {@code next} applied to what {@code first} completes with, like {@code thenCompose}, except that cancelling the
     * result (the client went away) cancels the stage {@code next} returned too, so that a wait begun there ends and
     * detaches at once. When {@code first} is complete already (a job of this instance) it all happens on this thread.
     */
    public static <A, T> CompletionStage<T> then(CompletionStage<A> first, Function<A, CompletionStage<T>> next) {
        CompletableFuture<T> result = new CompletableFuture<>();
        first.whenComplete((value, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure instanceof CompletionException wrapped && wrapped.getCause() != null
                        ? wrapped.getCause() : failure);
                return;
            }
            CompletableFuture<T> inner;
            try {
                inner = next.apply(value).toCompletableFuture();
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            result.whenComplete((answered, cancelled) -> {
                if (result.isCancelled()) {
                    inner.cancel(false);
                }
            });
            inner.whenComplete((answer, failed) -> {
                if (failed != null) {
                    result.completeExceptionally(failed instanceof CompletionException wrapped && wrapped.getCause() != null
                            ? wrapped.getCause() : failed);
                } else {
                    result.complete(answer);
                }
            });
        });
        return result;
    }

    /**
     * Takes a waiter slot now, for a wait on work the caller is about to start (submit and wait): so a request the
     * waiter limit refuses is refused before its job is accepted, never after.
     *
     * @throws dev.threadlab.job.TooManyWaitersException at the limit
     */
    public Slot reserve() {
        waiters.enter();
        return new Slot();
    }

    /** A waiter slot; released once, by the wait that used it or by the caller if no wait starts. Thread-safe. */
    public final class Slot {
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot() {
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                waiters.exit();
            }
        }
    }

    /** {@link #await(Awaitable, Duration, Function)} in a slot already taken; the slot is released whatever happens. */
    public <T> CompletionStage<T> await(Slot slot, Awaitable awaited, Duration timeout, Function<Boolean, T> answer) {
        try {
            if (awaited.isDone()) {
                slot.release();
                return CompletableFuture.completedFuture(answer.apply(true));
            }
            Context context = Objects.requireNonNull(Vertx.currentContext(), "a wait needs the request's Vert.x context");
            CompletableFuture<T> result = new CompletableFuture<>();
            new Wait<>(result, answer, context, slot).start(awaited, timeout);
            return result;
        } catch (RuntimeException e) {
            slot.release();
            throw e;
        }
    }

    /**
     * One wait. It ends exactly once, by whichever comes first of the end of the awaited, the timer and a
     * cancellation (the client went away): {@code ended} decides, and the winner detaches from the awaited, cancels
     * the timer and frees the waiter slot. {@code attachment} and {@code timerId} are volatile because a
     * cancellation may end the wait on another thread (Vert.x cancels timers from any thread).
     */
    private final class Wait<T> {
        private final CompletableFuture<T> result;
        private final Function<Boolean, T> answer;
        private final Context context;
        private final Slot slot;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile Awaitable.Attachment attachment;
        private volatile long timerId = -1;

        Wait(CompletableFuture<T> result, Function<Boolean, T> answer, Context context, Slot slot) {
            this.result = result;
            this.answer = answer;
            this.context = context;
            this.slot = slot;
        }

        void start(Awaitable awaited, Duration timeout) {
            timerId = context.owner().setTimer(Math.max(1, timeout.toMillis()), id -> end(false));
            result.whenComplete((answered, cancelled) -> end(null)); // a no-op unless the answer was cancelled
            Awaitable.Attachment attached = awaited.attach(() -> {
                if (Vertx.currentContext() == context) {
                    end(true); // ended already, while this wait was being set up
                } else {
                    context.runOnContext(ignored -> end(true));
                }
            });
            attachment = attached;
            if (ended.get()) {
                attached.detach(); // it ended while attaching: leave nothing behind
            }
        }

        /** @param completed true or false to answer with, null when the answer was cancelled */
        private void end(Boolean completed) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            Awaitable.Attachment attached = attachment;
            if (attached != null) {
                attached.detach();
            }
            long timer = timerId;
            if (!Boolean.FALSE.equals(completed) && timer >= 0) {
                context.owner().cancelTimer(timer);
            }
            slot.release();
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
