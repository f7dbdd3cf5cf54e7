package dev.threadlab.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Messages between instances over Redis pub/sub: each instance listens on its own channel ({@code to:{instance}})
 * and on the channel for all ({@code all}), on one dedicated connection that is opened again a second after it
 * drops. A message is a JSON object with a {@code type}; a {@code reply} carries the {@code corr} of the request it
 * answers and goes to whoever registered for it. Pub/sub delivers at most once: a request that needs an answer waits
 * for it with a deadline.
 *
 * <p>Thread-safety: the connection is an atomic reference (a drop is handled once); reply handlers live in a
 * concurrent map; messages are handled on the connection's event loop, so handlers must not block.
 */
final class Messages implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Messages.class);
    private static final long RECONNECT_MILLIS = 1000;

    private final RedisStore store;
    private final ObjectMapper json;
    private final String instance;
    private final AtomicReference<RedisConnection> connection = new AtomicReference<>();
    private final Map<String, Consumer<JsonNode>> replyHandlers = new ConcurrentHashMap<>();
    private volatile Consumer<JsonNode> handler = message -> {
    };
    private volatile Runnable onSubscribed = () -> {
    };
    private volatile boolean subscribed;
    private volatile boolean closed;

    Messages(RedisStore store, ObjectMapper json, String instance) {
        this.store = store;
        this.json = json;
        this.instance = instance;
    }

    /**
     * Starts listening.
     *
     * @param onMessage    every message that is not a reply
     * @param onSubscribed after each (re)subscription: messages sent while it was down are lost, so look again
     */
    void start(Consumer<JsonNode> onMessage, Runnable onSubscribed) {
        this.handler = onMessage;
        this.onSubscribed = onSubscribed;
        connect();
    }

    /** Whether messages reach this instance now. */
    boolean subscribed() {
        return subscribed;
    }

    private void connect() {
        if (closed) {
            return;
        }
        store.connect().onSuccess(opened -> {
            if (closed) {
                opened.close();
                return;
            }
            connection.set(opened);
            opened.handler(this::received);
            opened.exceptionHandler(failure -> dropped(opened));
            opened.endHandler(ended -> dropped(opened));
            opened.send(Request.cmd(Command.SUBSCRIBE).arg(Keys.to(instance)).arg(Keys.TO_ALL))
                    .onSuccess(ok -> {
                        subscribed = true;
                        onSubscribed.run();
                    })
                    .onFailure(failure -> dropped(opened));
        }).onFailure(failure -> reconnectLater());
    }

    private void dropped(RedisConnection lost) {
        if (!connection.compareAndSet(lost, null)) {
            return;
        }
        subscribed = false;
        lost.close();
        if (!closed) {
            LOG.debug("the message connection to Redis dropped; opening it again");
        }
        reconnectLater();
    }

    private void reconnectLater() {
        if (!closed) {
            store.vertx().setTimer(RECONNECT_MILLIS, id -> connect());
        }
    }

    private void received(Response push) {
        if (push == null || push.size() < 3 || !"message".equals(push.get(0).toString())) {
            return; // subscription confirmations
        }
        JsonNode message;
        try {
            message = json.readTree(push.get(2).toString());
        } catch (Exception e) {
            LOG.debugf("ignoring a message that is not JSON: %s", e.getMessage());
            return;
        }
        if ("reply".equals(message.path("type").asText())) {
            Consumer<JsonNode> replies = replyHandlers.get(message.path("corr").asText());
            if (replies != null) {
                replies.accept(message);
            }
            return;
        }
        try {
            handler.accept(message);
        } catch (RuntimeException e) {
            LOG.errorf(e, "handling a %s message failed", message.path("type").asText());
        }
    }

    /** A new message of {@code type} from this instance. */
    ObjectNode message(String type) {
        return json.createObjectNode().put("type", type).put("from", instance);
    }

    /** Sends to one instance; completes with how many listeners got it (0: the instance is not listening). */
    Future<Long> send(String toInstance, ObjectNode message) {
        return publish(Keys.to(toInstance), message);
    }

    /** Sends to every instance, this one included. */
    Future<Long> broadcast(ObjectNode message) {
        return publish(Keys.TO_ALL, message);
    }

    private Future<Long> publish(String channel, ObjectNode message) {
        return store.send(Request.cmd(Command.PUBLISH).arg(channel).arg(message.toString())).map(Response::toLong);
    }

    /** Registers for the replies to a request; returns its {@code corr}, to put in the request and to {@link #forget}. */
    String expectReplies(Consumer<JsonNode> onReply) {
        String corr = UUID.randomUUID().toString();
        replyHandlers.put(corr, onReply);
        return corr;
    }

    void forget(String corr) {
        replyHandlers.remove(corr);
    }

    /** Answers {@code request} with {@code body}, to the instance that sent it. */
    void reply(JsonNode request, ObjectNode body) {
        body.put("type", "reply").put("corr", request.path("corr").asText()).put("from", instance);
        send(request.path("from").asText(), body)
                .onFailure(failure -> LOG.debugf("a reply could not be sent: %s", failure.getMessage()));
    }

    @Override
    public void close() {
        closed = true;
        RedisConnection open = connection.getAndSet(null);
        subscribed = false;
        if (open != null) {
            open.close();
        }
    }
}
