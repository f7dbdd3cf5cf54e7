package dev.threadlab.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadlab.cluster.Cluster;
import dev.threadlab.cluster.TrackedJob;
import dev.threadlab.gil.GilExecutionModel;
import dev.threadlab.gil.GilTimeline;
import dev.threadlab.job.Awaitable;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.JobView;
import dev.threadlab.live.LiveFigures;
import dev.threadlab.live.StreamSlots;
import dev.threadlab.live.TooManyStreamsException;
import dev.threadlab.pool.Pool;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Server-Sent Events streams, readable with {@code curl -N}:
 * <ul>
 *   <li>{@code GET /events}: the instance's live figures ({@link LiveFigures}), one {@code stats} event a second;</li>
 *   <li>{@code GET /jobs/{id}/events}: a job's {@code progress} as it changes (checked four times a second, from
 *       the store for a job of another instance), then one {@code end} event with the final job, then the stream
 *       ends;</li>
 *   <li>{@code GET /pools/{name}/timeline}: a GIL pool's token hand-overs, batched five times a second
 *       ({@code handovers} events), recorded only while someone watches.</li>
 * </ul>
 * A stream holds no thread: Vert.x timers on the request's event loop push to it. Streams are bounded in number
 * ({@link StreamSlots}: a 503 problem beyond), a client that does not read is dropped once its connection's write
 * queue is full, and every stream ends with a {@code shutdown} event when the instance begins to shut down. Errors
 * before a stream starts are problems like everywhere else.
 *
 * <p>Thread-safety: each stream's state is confined to its event loop except {@code closed}, an atomic that makes its
 * end run once whoever ends it; the sets of streams are concurrent; the /events sampler timer is started and stopped
 * under this object's monitor (no callout in it), and its samples are taken on its one timer thread.
 */
@Singleton
public class EventStreams {

    private static final Logger LOG = Logger.getLogger(EventStreams.class);
    /** Below Quarkus REST, which would answer these paths 404, and after {@link RequestLimits}. */
    private static final int ORDER = Integer.MIN_VALUE + 1;
    private static final long STATS_MILLIS = 1000;
    private static final long PROGRESS_MILLIS = 250;
    private static final long TIMELINE_MILLIS = 200;
    private static final long KEEP_ALIVE_MILLIS = 10_000;

    private final JobEngine engine;
    private final Cluster cluster;
    private final StreamSlots slots;
    private final LiveFigures live;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    private final Set<Stream> statsReaders = ConcurrentHashMap.newKeySet();
    private long samplerTimer = -1;
    private volatile String lastStats;

    public EventStreams(JobEngine engine, Cluster cluster, StreamSlots slots, ObjectMapper json, Vertx vertx) {
        this.engine = engine;
        this.cluster = cluster;
        this.slots = slots;
        this.live = new LiveFigures(engine);
        this.json = json;
        this.vertx = vertx;
    }

    void install(@Observes Router router) {
        router.get("/events").order(ORDER).handler(this::stats);
        router.get("/jobs/:id/events").order(ORDER).handler(this::job);
        router.get("/pools/:name/timeline").order(ORDER).handler(this::timeline);
    }

    /** Streams end as the instance begins to shut down, before Quarkus waits for open requests. */
    void endAll(@Observes @Priority(1) ShutdownDelayInitiatedEvent shutdown) {
        endAllStreams();
    }

    void endAllOnStop(@Observes ShutdownEvent stop) {
        endAllStreams();
    }

    private void endAllStreams() {
        for (Stream stream : List.copyOf(open)) {
            stream.send("shutdown", Map.of("instance", engine.instance(), "detail", "the instance is shutting down"));
            stream.end();
        }
    }

    /** Open streams now (for tests and the console). */
    public int openStreams() {
        return open.size();
    }

    // ---- GET /events ------------------------------------------------------------------------------------------

    private void stats(RoutingContext ctx) {
        Stream stream = start(ctx);
        if (stream == null) {
            return;
        }
        stream.onEnd(() -> {
            statsReaders.remove(stream);
            stopSamplerIfIdle();
        });
        statsReaders.add(stream);
        String latest = lastStats;
        if (latest != null) {
            stream.sendRaw("stats", latest);
        }
        startSampler();
    }

    private synchronized void startSampler() {
        if (samplerTimer < 0) {
            live.sample(); // the first rates need a previous sample
            samplerTimer = vertx.setPeriodic(STATS_MILLIS, id -> broadcastStats());
        }
    }

    private synchronized void stopSamplerIfIdle() {
        if (statsReaders.isEmpty() && samplerTimer >= 0) {
            vertx.cancelTimer(samplerTimer);
            samplerTimer = -1;
        }
    }

    private void broadcastStats() {
        String figures;
        try {
            figures = json.writeValueAsString(live.sample());
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.error("the live figures could not be sampled", e);
            return;
        }
        lastStats = figures;
        for (Stream reader : statsReaders) {
            reader.sendRaw("stats", figures);
        }
    }

    // ---- GET /jobs/{id}/events --------------------------------------------------------------------------------

    private void job(RoutingContext ctx) {
        CompletionStage<TrackedJob> found;
        try {
            found = cluster.watch(ctx.pathParam("id"));
        } catch (RuntimeException e) {
            ProblemResponses.send(ctx, ProblemResponses.of(e));
            return;
        }
        found.whenComplete((job, failure) -> {
            if (failure != null) {
                ProblemResponses.send(ctx, ProblemResponses.of(failure));
            } else {
                streamJob(ctx, job);
            }
        });
    }

    /** A job's progress (read from the store every period, for a job of another instance), then its end. */
    private void streamJob(RoutingContext ctx, TrackedJob job) {
        Stream stream = start(ctx);
        if (stream == null) {
            return;
        }
        if (job.completion().isDone()) {
            stream.send("end", job.view());
            stream.end();
            return;
        }
        Context context = Vertx.currentContext();
        Map<String, Object> first = progress(job.view());
        stream.send("progress", first);
        Map<String, Object>[] lastSent = new Map[]{first}; // only touched on this stream's event loop
        long timer = vertx.setPeriodic(PROGRESS_MILLIS, id -> cluster.refresh(job).thenAccept(view -> {
            Map<String, Object> now = progress(view);
            if (!now.equals(lastSent[0])) {
                lastSent[0] = now;
                stream.send("progress", now);
            }
        }));
        Awaitable.Attachment attachment = job.completion().attach(() -> context.runOnContext(ignored -> {
            stream.send("end", job.view());
            stream.end();
        }));
        stream.onEnd(() -> {
            vertx.cancelTimer(timer);
            attachment.detach();
        });
    }

    /** What changes while a job runs; elapsed in whole seconds, so the stream is quiet while nothing else moves. */
    private static Map<String, Object> progress(JobView view) {
        Map<String, Object> progress = new LinkedHashMap<>();
        progress.put("id", view.id());
        progress.put("state", view.state());
        progress.put("tasksDone", view.progress().tasksDone());
        progress.put("tasks", view.progress().tasks());
        progress.put("tasksFailed", view.progress().tasksFailed());
        progress.put("tasksCancelled", view.progress().tasksCancelled());
        progress.put("elapsedSeconds", Duration.between(view.submittedAt(), Instant.now()).toSeconds());
        return progress;
    }

    // ---- GET /pools/{name}/timeline ---------------------------------------------------------------------------

    private void timeline(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        Pool pool = engine.pools().find(name).orElse(null);
        if (pool == null) {
            ProblemResponses.send(ctx, Problem.notFound("pool", "no pool named '" + name + "'; pools: " + engine.pools().names()));
            return;
        }
        if (!(pool.model() instanceof GilExecutionModel gil)) {
            ProblemResponses.send(ctx, Problem.of(409, "not-a-gil-pool", "Not a GIL pool",
                    "pool '" + name + "' is a " + pool.kind().id() + " pool: only gil pools have a token to watch")
                    .with("pool", name).with("kind", pool.kind().id()));
            return;
        }
        Stream stream = start(ctx);
        if (stream == null) {
            return;
        }
        GilTimeline.Watch watch = gil.timeline().watch();
        double epochOffsetMillis = System.currentTimeMillis() - System.nanoTime() / 1e6;
        long[] lastSent = {System.nanoTime()}; // only touched on this stream's event loop
        long timer = vertx.setPeriodic(TIMELINE_MILLIS, id -> {
            GilTimeline.Batch batch = watch.read();
            long now = System.nanoTime();
            if (!batch.events().isEmpty() || batch.missed() > 0) {
                stream.send("handovers", handovers(name, gil, batch, epochOffsetMillis));
                lastSent[0] = now;
            } else if (now - lastSent[0] > KEEP_ALIVE_MILLIS * 1_000_000) {
                stream.comment("idle");
                lastSent[0] = now;
            }
        });
        stream.onEnd(() -> {
            vertx.cancelTimer(timer);
            watch.close();
        });
    }

    private static Map<String, Object> handovers(String pool, GilExecutionModel gil, GilTimeline.Batch batch,
                                                 double epochOffsetMillis) {
        List<Map<String, Object>> events = new ArrayList<>(batch.events().size());
        for (GilTimeline.Event event : batch.events()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("at", Math.round((epochOffsetMillis + event.atNanos() / 1e6) * 1000) / 1000.0);
            one.put("thread", event.thread());
            one.put("interpreter", event.interpreter());
            one.put("kind", event.kind().id());
            if (event.waitNanos() > 0) {
                one.put("waitMs", Math.round(event.waitNanos() / 1e3) / 1e3);
            }
            events.add(one);
        }
        Map<String, Object> batchView = new LinkedHashMap<>();
        batchView.put("pool", pool);
        batchView.put("interpreters", gil.interpreters().size());
        batchView.put("switchIntervalMs", gil.switchInterval().toNanos() / 1e6);
        batchView.put("events", events);
        batchView.put("missed", batch.missed());
        return batchView;
    }

    // ---- one stream -------------------------------------------------------------------------------------------

    /** Takes a slot and starts the event stream; null when refused (the problem is answered then) or the client has left. */
    private Stream start(RoutingContext ctx) {
        if (ctx.response().closed()) {
            return null; // the client left while the job was looked up (another instance's job): no close event comes
        }
        try {
            slots.enter();
        } catch (TooManyStreamsException e) {
            ProblemResponses.send(ctx, ProblemResponses.tooMany(e));
            return null;
        }
        HttpServerResponse response = ctx.response();
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no"); // a proxy must pass events on as they come
        Stream stream = new Stream(response);
        open.add(stream);
        response.closeHandler(closed -> stream.end());
        response.exceptionHandler(failed -> stream.end());
        response.write("retry: 2000\n: threadlab " + engine.instance() + "\n\n");
        return stream;
    }

    /** One open event stream. Writes are thread-safe in Vert.x; {@code ended} makes its end run once. */
    private final class Stream {
        private final HttpServerResponse response;
        private final AtomicBoolean ended = new AtomicBoolean();
        private final List<Runnable> onEnd = new CopyOnWriteArrayList<>();

        Stream(HttpServerResponse response) {
            this.response = response;
        }

        /** Runs {@code action} when the stream ends, or at once if it has ended already. */
        void onEnd(Runnable action) {
            onEnd.add(action);
            if (ended.get() && onEnd.remove(action)) {
                action.run();
            }
        }

        void send(String event, Object data) {
            try {
                sendRaw(event, json.writeValueAsString(data));
            } catch (JsonProcessingException e) {
                LOG.error("an event could not be written as JSON", e);
            }
        }

        void sendRaw(String event, String data) {
            write("event: " + event + "\ndata: " + data + "\n\n");
        }

        void comment(String text) {
            write(": " + text + "\n\n");
        }

        private void write(String text) {
            if (ended.get()) {
                return;
            }
            if (response.writeQueueFull()) {
                LOG.debugf("dropping an event stream whose client does not read");
                end();
                response.reset(); // the client is not reading: no orderly close would reach it
                return;
            }
            response.write(text);
        }

        void end() {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            open.remove(this);
            slots.exit();
            for (Runnable action : List.copyOf(onEnd)) {
                onEnd.remove(action);
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.error("releasing what an event stream held failed", e);
                }
            }
            if (!response.ended() && !response.closed()) {
                response.end();
            }
        }
    }
}
