package dev.threadlab.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Redis as threadlab uses it: commands and pipelines that either answer within a deadline or fail with
 * {@link StoreUnavailableException}, scripts called by digest and loaded again when Redis has forgotten them, and
 * the store's {@link StoreHealth} kept from every answer. Non-blocking: futures complete on a Vert.x event loop;
 * {@link #await} is for the instance's own worker threads, never for an event loop.
 *
 * <p>Thread-safety: the Vert.x Redis client is thread-safe; this class adds only immutable fields.
 */
final class RedisStore {

    private static final Logger LOG = Logger.getLogger(RedisStore.class);

    /** The longest any one operation on the store may take before it counts as failed. */
    static final Duration DEADLINE = Duration.ofSeconds(1);

    private final Redis redis;
    private final Vertx vertx;
    private final StoreHealth health;

    RedisStore(Redis redis, Vertx vertx, StoreHealth health) {
        this.redis = redis;
        this.vertx = vertx;
        this.health = health;
    }

    StoreHealth health() {
        return health;
    }

    Vertx vertx() {
        return vertx;
    }

    Future<Response> send(Request request) {
        return batch(List.of(request)).map(answers -> answers.get(0));
    }

    /** Sends the commands in one pipeline; scripts Redis does not know are loaded and the pipeline sent once more. */
    Future<List<Response>> batch(List<Request> requests) {
        return bounded(redis.batch(requests).compose(RedisStore::failOnError).recover(failure -> isUnknownScript(failure)
                ? loadScripts().compose(loaded -> redis.batch(requests)).compose(RedisStore::failOnError)
                : Future.failedFuture(failure)));
    }

    /** A pipeline with an error reply fails as a whole (its commands are idempotent, so it may be sent again). */
    private static Future<List<Response>> failOnError(List<Response> answers) {
        for (Response answer : answers) {
            if (answer != null && answer.type() == ResponseType.ERROR) {
                return Future.failedFuture(new IllegalStateException(answer.toString()));
            }
        }
        return Future.succeededFuture(answers);
    }

    /** A dedicated connection, for subscriptions; the caller closes it. */
    Future<RedisConnection> connect() {
        Future<RedisConnection> connecting = redis.connect();
        Future<RedisConnection> answer = bounded(connecting);
        // a connection that arrives after the deadline has no taker: give it back, or the pool runs dry
        connecting.onSuccess(connection -> answer.onFailure(late -> connection.close()));
        return answer;
    }

    /** A stored value as JSON, or null (logged) when it is not JSON. */
    static JsonNode jsonOrNull(ObjectMapper json, String text) {
        try {
            return json.readTree(text);
        } catch (Exception e) {
            LOG.debugf("a stored value is not JSON: %s", e.getMessage());
            return null;
        }
    }

    static Request script(Script script, List<String> keys, Object... args) {
        Request request = Request.cmd(Command.EVALSHA).arg(script.sha()).arg(keys.size());
        keys.forEach(request::arg);
        for (Object arg : args) {
            request.arg(String.valueOf(arg));
        }
        return request;
    }

    private Future<Void> loadScripts() {
        List<Request> loads = new ArrayList<>();
        for (Script script : Script.values()) {
            loads.add(Request.cmd(Command.SCRIPT).arg("LOAD").arg(script.source()));
        }
        return redis.batch(loads).mapEmpty();
    }

    private static boolean isUnknownScript(Throwable failure) {
        return failure.getMessage() != null && failure.getMessage().contains("NOSCRIPT");
    }

    /** {@code operation}, failed with {@link StoreUnavailableException} if it fails or takes longer than the deadline. */
    private <T> Future<T> bounded(Future<T> operation) {
        Promise<T> answer = Promise.promise();
        long timer = vertx.setTimer(DEADLINE.toMillis(), id -> {
            StoreUnavailableException late = new StoreUnavailableException(
                    "Redis did not answer within " + DEADLINE.toMillis() + " ms", null);
            if (answer.tryFail(late)) {
                health.failed(late);
            }
        });
        operation.onComplete(result -> {
            vertx.cancelTimer(timer);
            if (result.succeeded()) {
                if (answer.tryComplete(result.result())) {
                    health.succeeded();
                }
            } else {
                StoreUnavailableException failed = new StoreUnavailableException(
                        "Redis is unavailable: " + result.cause().getMessage(), result.cause());
                if (answer.tryFail(failed)) {
                    health.failed(failed);
                }
            }
        });
        return answer.future();
    }

    /**
     * Waits for a store operation on a thread that may block (never an event loop).
     *
     * @throws StoreUnavailableException when it failed or took longer than the deadline
     */
    static <T> T await(Future<T> operation) {
        try {
            return operation.toCompletionStage().toCompletableFuture()
                    .get(DEADLINE.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StoreUnavailableException unavailable ? unavailable
                    : new StoreUnavailableException("Redis failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new StoreUnavailableException("Redis did not answer in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while waiting for Redis", e);
        }
    }
}
