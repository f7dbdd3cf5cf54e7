package dev.threadlab.cluster;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadlab.experiment.Experiment;
import dev.threadlab.experiment.ExperimentNotFoundException;
import dev.threadlab.experiment.ExperimentService;
import dev.threadlab.input.InvalidInputException;
import dev.threadlab.job.IdGenerator;
import dev.threadlab.job.Job;
import dev.threadlab.job.JobEndedException;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.JobEvents;
import dev.threadlab.job.JobFilter;
import dev.threadlab.job.JobNotFoundException;
import dev.threadlab.job.JobState;
import dev.threadlab.job.JobView;
import dev.threadlab.pool.Pool;
import dev.threadlab.pool.PoolKind;
import dev.threadlab.pool.PoolSettings;
import dev.threadlab.pool.PoolUpdate;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The service as one, whichever instance a request reaches: jobs, experiments, pool changes and figures of this
 * instance, and with a shared store ({@code threadlab.store=redis}) those of every other instance too. With the
 * memory store this instance is the whole service, and every method answers from it alone, as fast as before.
 *
 * <p>With Redis: this instance publishes its jobs as they change ({@link JobReplicator}), keeps its membership and
 * records the jobs of lost instances ({@link Membership}), and talks to the others over pub/sub ({@link Messages}).
 * A request for a job held here is answered from here; for any other job, from the store: a read is one {@code GET};
 * a join registers this instance as a watcher of the job in the same pipeline as its read, and the write that ends
 * the job tells every watcher, so the join returns without polling; a cancel is a message to the owner, whose
 * confirmation it waits for; a list reads the cluster-wide index. What needs the store while it is down fails with
 * {@link StoreUnavailableException}; jobs of this instance are answered all the same.
 *
 * <p>Futures complete on the caller's Vert.x context when there is one (a request), never on a Redis event loop
 * of its own; blocking methods (list, stats, pool changes) are for worker threads only.
 *
 * <p>Thread-safety: the remote jobs waited for live in a concurrent map; each {@link RemoteJob} is thread-safe;
 * everything else is immutable or owned by the parts named above.
 */
public final class Cluster implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Cluster.class);
    private static final int LIST_CHUNK = 500;
    private static final int LIST_MAX_CHUNKS = 60;
    private static final long LIST_BUDGET_NANOS = Duration.ofSeconds(2).toNanos();
    private static final long SWEEP_MILLIS = 10_000;

    private final String instance;
    private final StoreHealth health;
    private final ClusterSettings settings;
    private final ObjectMapper json;
    private final ObjectReader jobReader;
    private final ObjectReader experimentReader;
    /** Null with the memory store, as are the parts below. */
    private final RedisStore store;
    private final JobReplicator replicator;
    private final Messages messages;
    private final Map<String, RemoteJob> watched = new ConcurrentHashMap<>();
    private volatile JobEngine engine;
    private volatile ExperimentService experiments;
    private volatile Membership membership;
    private long sweepTimer = -1;

    private Cluster(String instance, StoreHealth health, ClusterSettings settings, ObjectMapper api, RedisStore store) {
        this.instance = instance;
        this.health = health;
        this.settings = settings;
        // the API's mapper, writing and reading what clients see, but lenient and with plain doubles: a job read back
        // from the store is written to clients exactly as its own instance writes it
        ObjectMapper json = api.copy().disable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.json = json;
        this.jobReader = json.readerFor(JobView.class);
        this.experimentReader = json.readerFor(Experiment.View.class);
        this.store = store;
        if (store == null) {
            this.replicator = null;
            this.messages = null;
        } else {
            this.replicator = new JobReplicator(store, json, instance, settings.retention().toMillis(),
                    settings.maxTimeoutMs(), settings.maxRetained());
            this.messages = new Messages(store, json, instance);
        }
    }

    /** This instance alone: the memory store. */
    public static Cluster memory(String instance, ClusterSettings settings, ObjectMapper json) {
        return new Cluster(instance, StoreHealth.memory(), settings, json, null);
    }

    /** Instances sharing one Redis; nothing connects before {@link #start}. */
    public static Cluster redis(String instance, ClusterSettings settings, ObjectMapper json, Redis redis, Vertx vertx) {
        StoreHealth health = StoreHealth.redis(settings.heartbeat());
        return new Cluster(instance, health, settings, json, new RedisStore(redis, vertx, health));
    }

    /** What the engine must tell this cluster about its jobs ({@link JobEvents#NONE} with the memory store). */
    public JobEvents jobEvents() {
        return replicator == null ? JobEvents.NONE : replicator;
    }

    /**
     * Starts publishing and listening (a no-op with the memory store).
     *
     * @param events where a lost job this instance records is announced (metrics)
     */
    public void start(JobEngine jobs, ExperimentService experimentService, JobEvents events) {
        this.engine = jobs;
        this.experiments = experimentService;
        if (store == null) {
            return;
        }
        replicator.start(jobs);
        messages.start(this::received, this::refreshWatched);
        Membership member = new Membership(store, json, instance, jobs, experimentService, replicator, events,
                settings, this::joined);
        membership = member;
        member.start();
        sweepTimer = store.vertx().setPeriodic(SWEEP_MILLIS, id -> sweepWatched());
    }

    /** Whether several instances share a store (Redis). */
    public boolean shared() {
        return store != null;
    }

    public StoreHealth health() {
        return health;
    }

    /** With a shared store: whether this instance has joined the cluster there (publishes, records lost instances). */
    public boolean member() {
        Membership member = membership;
        return member != null && member.joined();
    }

    public String instance() {
        return instance;
    }

    // ---- jobs -------------------------------------------------------------------------------------------------------

    /**
     * The job as it is now, from this instance or the store.
     *
     * @throws JobNotFoundException (at once, or as the stage's failure) when no instance has it
     */
    public CompletionStage<JobView> view(String id) {
        Optional<Job> local = engine.find(id);
        if (local.isPresent()) {
            return CompletableFuture.completedFuture(local.get().view());
        }
        if (store == null) {
            throw engine.notFound(id);
        }
        if (IdGenerator.instanceOf(id).isEmpty()) {
            throw notFoundAnywhere(id);
        }
        return onCaller(read(id).compose(view -> view != null ? Future.succeededFuture(view) : askOwner(id))
                .map(view -> {
                    if (view == null) {
                        throw notFoundAnywhere(id);
                    }
                    return view;
                }));
    }

    /** The job to wait for; for a job of another instance, this instance becomes one of its watchers. */
    public CompletionStage<TrackedJob> watch(String id) {
        return watchAll(List.of(id)).thenApply(jobs -> jobs.get(0));
    }

    /**
     * The jobs to wait for, in the order asked; those of other instances are read and watched in one pipeline.
     *
     * @throws JobNotFoundException for the first id no instance has
     */
    public CompletionStage<List<TrackedJob>> watchAll(List<String> ids) {
        TrackedJob[] tracked = new TrackedJob[ids.size()];
        List<Integer> remote = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            Optional<Job> local = engine.find(ids.get(i));
            if (local.isPresent()) {
                tracked[i] = new TrackedJob.Local(local.get());
            } else if (store == null) {
                throw engine.notFound(ids.get(i));
            } else if (IdGenerator.instanceOf(ids.get(i)).isEmpty()) {
                throw notFoundAnywhere(ids.get(i)); // not an id any instance gives: nothing to ask Redis
            } else {
                remote.add(i);
            }
        }
        if (remote.isEmpty()) {
            return CompletableFuture.completedFuture(List.of(tracked));
        }
        List<Request> requests = new ArrayList<>(remote.size() * 3);
        List<RemoteJob> remoteJobs = new ArrayList<>(remote.size());
        for (int index : remote) {
            String id = ids.get(index);
            // registered before the read, so that an end message arriving before the read's answer is not missed
            remoteJobs.add(watched.compute(id, (key, current) -> {
                RemoteJob job = current != null ? current : new RemoteJob(key, null);
                job.lookupStarted();
                return job;
            }));
            requests.add(Request.cmd(Command.SADD).arg(Keys.watch(id)).arg(instance));
            requests.add(Request.cmd(Command.PEXPIRE).arg(Keys.watch(id)).arg(watchMillis()));
            requests.add(Request.cmd(Command.GET).arg(Keys.job(id)));
        }
        Future<List<JobView>> views = store.batch(requests).compose(answers -> {
            List<Future<JobView>> each = new ArrayList<>(remote.size());
            for (int i = 0; i < remote.size(); i++) {
                Response stored = answers.get(i * 3 + 2);
                // not written yet: the watcher was registered before this read, so the job's end will still reach it
                each.add(stored != null ? Future.succeededFuture(parseJob(stored.toString())) : askOwner(remoteJobs.get(i).id()));
            }
            return Future.all(each).map(all -> each.stream().map(Future::result).toList());
        });
        return onCaller(views.transform(looked -> {
            String missing = null;
            for (int i = 0; i < remote.size(); i++) {
                RemoteJob job = remoteJobs.get(i);
                JobView view = looked.succeeded() ? looked.result().get(i) : null;
                if (view != null) {
                    job.update(view);
                } else if (missing == null) {
                    missing = job.id();
                }
                lookupEnded(job);
                tracked[remote.get(i)] = job;
            }
            if (looked.failed()) {
                return Future.failedFuture(looked.cause());
            }
            return missing != null ? Future.failedFuture(notFoundAnywhere(missing)) : Future.succeededFuture(List.of(tracked));
        }));
    }

    /**
     * Ends one request's lookup of a remote job: the job is forgotten when it has ended, or when no lookup found it and
     * none is under way (atomically with {@code watched.compute}, so a lookup starting meanwhile keeps it).
     */
    private void lookupEnded(RemoteJob job) {
        boolean[] mapped = {false};
        watched.computeIfPresent(job.id(), (id, current) -> {
            if (current != job) {
                return current;
            }
            mapped[0] = true;
            return job.lookupEnded() || job.ended() ? null : job;
        });
        if (!mapped[0]) {
            job.lookupEnded();
        }
    }

    private long watchMillis() {
        return settings.maxWait().plusMinutes(1).toMillis();
    }

    /** The job's view now: at once for a job of this instance, from the store for another's (which it then updates). */
    public CompletionStage<JobView> refresh(TrackedJob job) {
        if (job instanceof RemoteJob remote) {
            return onCaller(read(remote.id()).map(view -> {
                if (view != null) {
                    remote.update(view);
                }
                return remote.view();
            }));
        }
        return CompletableFuture.completedFuture(job.view());
    }

    /**
     * Cancels a job wherever it runs. For a job of another instance the cancel goes to its owner, and the answer
     * waits up to {@link ClusterSettings#cancelWait} for the owner's confirmation; without one it is the job as
     * stored (the owner applies the cancel when the message reaches it).
     *
     * @throws JobNotFoundException when no instance has it
     * @throws JobEndedException when it has ended already
     */
    public CompletionStage<JobView> cancel(String id) {
        Optional<Job> local = engine.find(id);
        if (local.isPresent() || store == null) {
            return CompletableFuture.completedFuture(engine.cancel(id).view());
        }
        if (IdGenerator.instanceOf(id).isEmpty()) {
            throw notFoundAnywhere(id);
        }
        Future<JobView> cancelled = read(id).compose(stored -> {
            if (stored != null && stored.state().terminal()) {
                throw new JobEndedException(id, stored.state());
            }
            // a job the store does not hold yet may have been accepted by its owner a moment ago: the owner decides
            return askOwnerOf(id, messages.message("cancel").put("id", id)).map(reply -> cancelAnswer(id, stored, reply));
        });
        return onCaller(cancelled);
    }

    private JobView cancelAnswer(String id, JobView stored, JsonNode reply) {
        String outcome = reply == null ? "unanswered" : reply.path("outcome").asText();
        return switch (outcome) {
            case "cancelled" -> parseJob(reply.get("job"));
            case "ended" -> throw new JobEndedException(id, JobState.valueOf(reply.path("state").asText()));
            default -> {
                // unanswered in time, or the owner no longer holds it (restarted): the store's view is all there is
                if (stored == null) {
                    throw notFoundAnywhere(id);
                }
                LOG.debugf("the owner of job %s did not confirm its cancel (%s)", id, outcome);
                yield stored;
            }
        };
    }

    /**
     * A job the store does not hold, as its owner holds it: the store is written just behind a job's life, so a job
     * accepted a moment ago on another instance may not be there yet. Completes with null when the owner is not
     * listening, does not know the job, or does not answer within {@link ClusterSettings#cancelWait}.
     */
    private Future<JobView> askOwner(String id) {
        return askOwnerOf(id, messages.message("find").put("id", id))
                .map(reply -> reply == null || !reply.hasNonNull("job") ? null : parseJob(reply.get("job")));
    }

    /**
     * Sends {@code request} to the instance whose prefix {@code id} carries and completes with its reply, or with
     * null when no other instance owns the id, nobody listens on its channel, or no reply comes within
     * {@link ClusterSettings#cancelWait}.
     */
    private Future<JsonNode> askOwnerOf(String id, ObjectNode request) {
        Optional<String> owner = IdGenerator.instanceOf(id).filter(prefix -> !prefix.equals(instance));
        if (owner.isEmpty()) {
            return Future.succeededFuture(null);
        }
        Promise<JsonNode> reply = Promise.promise();
        String corr = messages.expectReplies(reply::tryComplete);
        long timer = store.vertx().setTimer(settings.cancelWait().toMillis(), late -> reply.tryComplete(null));
        messages.send(owner.get(), request.put("corr", corr)).onComplete(sent -> {
            if (sent.failed()) {
                reply.tryFail(sent.cause());
            } else if (sent.result() == 0) {
                reply.tryComplete(null); // the owner is not listening: it is gone
            }
        });
        return reply.future().onComplete(done -> {
            messages.forget(corr);
            store.vertx().cancelTimer(timer);
        });
    }

    /**
     * Newest first, filtered, at most {@code limit}: this instance's jobs, and with a shared store every instance's
     * from the cluster-wide index (this instance's own from here, as they are now). A rare filter scans at most
     * 30,000 of the newest jobs and for at most 2 s, then answers with what it found; an entry that cannot be read is
     * left out. Blocking.
     *
     * @throws StoreUnavailableException when the store does not answer
     */
    public List<JobView> list(JobFilter filter, int limit) {
        List<JobView> local = engine.list(filter::matches, limit).stream().map(Job::view).toList();
        if (store == null) {
            return local;
        }
        Map<String, JobView> found = new LinkedHashMap<>();
        local.forEach(view -> found.put(view.id(), view));
        int matched = 0;
        long started = System.nanoTime();
        for (int chunk = 0; chunk < LIST_MAX_CHUNKS && matched < limit && System.nanoTime() - started < LIST_BUDGET_NANOS; chunk++) {
            Response ids = RedisStore.await(store.send(Request.cmd(Command.ZREVRANGE).arg(Keys.ALL_JOBS)
                    .arg(chunk * LIST_CHUNK).arg((chunk + 1) * LIST_CHUNK - 1)));
            if (ids.size() == 0) {
                break;
            }
            Request read = Request.cmd(Command.MGET);
            for (Response id : ids) {
                read.arg(Keys.job(id.toString()));
            }
            Response stored = RedisStore.await(store.send(read));
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i).toString();
                Response job = stored.get(i);
                if (job == null || engine.find(id).isPresent()) {
                    continue; // expired, or this instance's own (listed as it is now)
                }
                JobView view;
                try {
                    view = parseJob(job.toString());
                } catch (StoreUnavailableException e) {
                    LOG.debugf("job %s in the store cannot be read; it is left out of the list: %s", id, e.getMessage());
                    continue;
                }
                if (filter.matches(view) && found.putIfAbsent(id, view) == null) {
                    matched++;
                }
            }
            if (ids.size() < LIST_CHUNK) {
                break;
            }
        }
        return found.values().stream()
                .sorted(Comparator.comparing(JobView::submittedAt).reversed())
                .limit(limit)
                .toList();
    }

    private Future<JobView> read(String id) {
        return store.send(Request.cmd(Command.GET).arg(Keys.job(id)))
                .map(stored -> stored == null ? null : parseJob(stored.toString()));
    }

    private JobView parseJob(String text) {
        try {
            return jobReader.readValue(text);
        } catch (Exception e) {
            throw new StoreUnavailableException("a job in the store could not be read: " + e.getMessage(), e);
        }
    }

    private JobView parseJob(JsonNode tree) {
        try {
            return jobReader.readValue(tree);
        } catch (Exception e) {
            throw new StoreUnavailableException("a job from another instance could not be read: " + e.getMessage(), e);
        }
    }

    private JobNotFoundException notFoundAnywhere(String id) {
        return new JobNotFoundException(id, instance, null, "no job '" + id + "' on any instance: it never existed or was evicted after "
                + settings.retention().toMinutes() + " min (at most " + settings.maxRetained()
                + " finished jobs per instance are kept)");
    }

    /** An end message, or a read after the message connection came back: the remote jobs waited for may end. */
    private void ended(String id, JsonNode job) {
        RemoteJob waiting = watched.remove(id);
        if (waiting != null) {
            waiting.update(parseJob(job));
        }
    }

    /**
     * Registers as a watcher of every remote job waited for once more (a restarted Redis has lost the registrations)
     * and reads them: an end sent while messages did not reach this instance is seen.
     */
    private void refreshWatched() {
        List<String> ids = new ArrayList<>(watched.keySet());
        if (ids.isEmpty()) {
            return;
        }
        List<Request> requests = new ArrayList<>(ids.size() * 2 + 1);
        for (String id : ids) {
            requests.add(Request.cmd(Command.SADD).arg(Keys.watch(id)).arg(instance));
            requests.add(Request.cmd(Command.PEXPIRE).arg(Keys.watch(id)).arg(watchMillis()));
        }
        Request read = Request.cmd(Command.MGET);
        ids.forEach(id -> read.arg(Keys.job(id)));
        requests.add(read);
        store.batch(requests).map(answers -> answers.get(answers.size() - 1)).onSuccess(stored -> {
            for (int i = 0; i < ids.size(); i++) {
                Response job = stored.get(i);
                RemoteJob waiting = watched.get(ids.get(i));
                if (job != null && waiting != null) {
                    waiting.update(parseJob(job.toString()));
                    if (waiting.ended()) {
                        watched.remove(waiting.id(), waiting);
                    }
                }
            }
        });
    }

    /** Forgets remote jobs nobody has waited for since the longest wait could have begun. */
    private void sweepWatched() {
        long idleNanos = settings.maxWait().plusSeconds(10).toNanos();
        for (String id : watched.keySet()) {
            watched.computeIfPresent(id, (key, job) -> job.ended() || job.idleFor(idleNanos) ? null : job);
        }
    }

    /** Remote jobs waited for now (for tests and the figures). */
    public int watchedRemoteJobs() {
        return watched.size();
    }

    // ---- experiments --------------------------------------------------------------------------------------------

    /**
     * An experiment as it is now, from this instance, or as its instance last published it (at most a heartbeat
     * period old while it runs).
     *
     * @throws ExperimentNotFoundException when no instance has it
     */
    public CompletionStage<Experiment.View> experiment(String id) {
        Optional<Experiment> local = experiments.find(id);
        if (local.isPresent()) {
            return CompletableFuture.completedFuture(local.get().view());
        }
        if (store == null) {
            return CompletableFuture.completedFuture(experiments.get(id).view()); // throws not found
        }
        // published at each heartbeat: one accepted a moment ago on another instance is asked of its owner
        Future<JsonNode> found = store.send(Request.cmd(Command.GET).arg(Keys.experiment(id))).compose(stored -> stored != null
                ? Future.succeededFuture(RedisStore.jsonOrNull(json, stored.toString()))
                : askOwnerOf(id, messages.message("find").put("id", id).put("kind", "experiment"))
                        .map(reply -> reply == null ? null : reply.get("experiment")));
        return onCaller(found.map(experiment -> {
            if (experiment == null) {
                throw ExperimentNotFoundException.inCluster(id);
            }
            try {
                return experimentReader.readValue(experiment);
            } catch (Exception e) {
                throw new StoreUnavailableException("an experiment from another instance could not be read: " + e.getMessage(), e);
            }
        }));
    }

    // ---- pools --------------------------------------------------------------------------------------------------

    /**
     * The settings of a pool on this instance, as every instance reports them to a pool change: its size, queue and
     * the execution model's own settings (its scalar entries; its live figures are left out).
     */
    public static Map<String, Object> settingsOf(Pool pool) {
        PoolSettings current = pool.settings();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put(pool.kind() == PoolKind.VIRTUAL ? "maxConcurrency" : "threads", current.concurrency());
        view.put("queueCapacity", current.queueCapacity());
        pool.model().describe().forEach((name, value) -> {
            if (!(value instanceof Map<?, ?>) && !(value instanceof Collection<?>)) {
                view.put(name, value);
            }
        });
        return view;
    }

    /**
     * After a pool change was applied here: with a shared store, keeps it for instances that join later, sends it to
     * every other instance and waits up to {@link ClusterSettings#patchWait} for their confirmations. Blocking.
     *
     * @return each instance's settings of the pool after the change (this one's first), and the live instances that
     *         did not confirm in time (they apply it when they next reach the store); empty with the memory store
     * @throws StoreUnavailableException when the store does not answer (the change holds here)
     */
    public Optional<PoolChange> changed(Pool pool, PoolUpdate update) {
        if (store == null) {
            return Optional.empty();
        }
        ObjectNode change = json.valueToTree(update);
        List<String> absent = new ArrayList<>();
        change.fieldNames().forEachRemaining(field -> {
            if (change.get(field).isNull()) {
                absent.add(field);
            }
        });
        change.remove(absent);
        RedisStore.await(store.send(RedisStore.script(Script.MERGE_POOL_SETTINGS, List.of(Keys.POOL_SETTINGS),
                pool.name(), change.toString())));

        Set<String> live = liveInstances();
        live.remove(instance);
        Map<String, Map<String, Object>> settingsByInstance = new ConcurrentHashMap<>();
        CompletableFuture<Void> allConfirmed = new CompletableFuture<>();
        String corr = messages.expectReplies(reply -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> result = json.convertValue(reply.path("result"), Map.class);
            settingsByInstance.put(reply.path("from").asText(), result);
            if (settingsByInstance.keySet().containsAll(live)) {
                allConfirmed.complete(null);
            }
        });
        try {
            ObjectNode message = messages.message("patch").put("pool", pool.name()).put("corr", corr);
            message.set("update", change);
            RedisStore.await(messages.broadcast(message));
            if (!live.isEmpty()) {
                allConfirmed.get(settings.patchWait().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (TimeoutException e) {
            LOG.debugf("not every instance confirmed the change of pool %s in time", pool.name());
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            messages.forget(corr);
        }
        Map<String, Map<String, Object>> byInstance = new LinkedHashMap<>();
        byInstance.put(instance, settingsOf(pool));
        byInstance.putAll(new TreeMap<>(settingsByInstance));
        List<String> unconfirmed = live.stream().filter(other -> !settingsByInstance.containsKey(other)).sorted().toList();
        return Optional.of(new PoolChange(byInstance, unconfirmed));
    }

    /** A pool change across the cluster: each instance's resulting settings, and who did not confirm in time. */
    public record PoolChange(Map<String, Map<String, Object>> instances, List<String> unconfirmed) {
    }

    /** Applies a pool change another instance made; the answer says the settings here now, or why it did not apply. */
    private ObjectNode apply(String poolName, JsonNode change) {
        ObjectNode answer = json.createObjectNode();
        Optional<Pool> pool = engine.pools().find(poolName);
        if (pool.isEmpty()) {
            answer.set("result", json.valueToTree(Map.of("problem", "no pool named '" + poolName + "' here")));
            return answer;
        }
        try {
            json.treeToValue(change, PoolUpdate.class).applyTo(pool.get());
            answer.set("result", json.valueToTree(settingsOf(pool.get())));
        } catch (InvalidInputException e) {
            answer.set("result", json.valueToTree(Map.of("problem", e.getMessage())));
        } catch (Exception e) {
            LOG.error("a pool change from another instance could not be applied", e);
            answer.set("result", json.valueToTree(Map.of("problem", "not applied: " + e.getMessage())));
        }
        return answer;
    }

    /**
     * At a join, a rejoin, or on reaching the store again: the pool changes made through any instance meanwhile apply
     * here too. Blocking.
     */
    private void joined() {
        Response kept = RedisStore.await(store.send(Request.cmd(Command.HGETALL).arg(Keys.POOL_SETTINGS)));
        for (String poolName : kept.getKeys()) {
            JsonNode change = RedisStore.jsonOrNull(json, kept.get(poolName).toString());
            if (change != null && change.isObject()) {
                ObjectNode answer = apply(poolName, change);
                LOG.infof("pool %s: the cluster's settings %s apply here: %s", poolName, change, answer.get("result"));
            }
        }
        refreshWatched();
    }

    // ---- figures ------------------------------------------------------------------------------------------------

    /**
     * The cluster's figures for {@code GET /stats}: a row per instance (its accounts at its last heartbeat, whether
     * it is alive, and how many of its jobs others recorded lost) and the totals. Blocking.
     *
     * @throws StoreUnavailableException when the store does not answer
     */
    public Map<String, Object> figures() {
        Response members = RedisStore.await(store.send(Request.cmd(Command.ZRANGE).arg(Keys.INSTANCES).arg(0).arg(-1)));
        List<String> names = new ArrayList<>();
        List<Request> reads = new ArrayList<>();
        for (Response member : members) {
            String name = member.toString();
            names.add(name);
            reads.add(Request.cmd(Command.GET).arg(Keys.counts(name)));
            reads.add(Request.cmd(Command.EXISTS).arg(Keys.instance(name)));
            reads.add(Request.cmd(Command.GET).arg(Keys.lost(name)));
        }
        List<Response> answers = reads.isEmpty() ? List.of() : RedisStore.await(store.batch(reads));
        List<Map<String, Object>> rows = new ArrayList<>();
        long[] totals = new long[5];
        for (int i = 0; i < names.size(); i++) {
            JsonNode counts = answers.get(i * 3) == null ? null : RedisStore.jsonOrNull(json, answers.get(i * 3).toString());
            if (counts == null) {
                continue;
            }
            boolean alive = answers.get(i * 3 + 1).toLong() == 1;
            long lost = answers.get(i * 3 + 2) == null ? 0 : answers.get(i * 3 + 2).toLong();
            JsonNode jobs = counts.path("jobs");
            long submitted = jobs.path("submitted").asLong();
            long finished = jobs.path("finished").asLong();
            long inFlight = jobs.path("inFlight").asLong();
            long rejected = jobs.path("rejected").asLong();
            if (!alive) { // its lost jobs ended on other instances; its own figures stopped at its last heartbeat
                finished += Math.min(lost, inFlight);
                inFlight = Math.max(0, inFlight - lost);
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("instance", names.get(i));
            row.put("alive", alive);
            row.put("lastHeartbeat", Instant.ofEpochMilli(counts.path("at").asLong()).toString());
            row.put("submitted", submitted);
            row.put("finished", finished);
            row.put("inFlight", inFlight);
            row.put("rejected", rejected);
            row.put("lostJobs", lost);
            rows.add(row);
            totals[0] += submitted;
            totals[1] += finished;
            totals[2] += inFlight;
            totals[3] += rejected;
            totals[4] += lost;
        }
        Map<String, Object> total = new LinkedHashMap<>();
        total.put("instances", rows.size());
        total.put("alive", rows.stream().filter(row -> (Boolean) row.get("alive")).count());
        total.put("submitted", totals[0]);
        total.put("finished", totals[1]);
        total.put("inFlight", totals[2]);
        total.put("rejected", totals[3]);
        total.put("lostJobs", totals[4]);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("totals", total);
        figures.put("instances", rows);
        return figures;
    }

    /** Instances whose heartbeat is fresh. Blocking. */
    private Set<String> liveInstances() {
        long since = System.currentTimeMillis() - settings.instanceTimeout().toMillis();
        Response members = RedisStore.await(store.send(
                Request.cmd(Command.ZRANGEBYSCORE).arg(Keys.INSTANCES).arg(since).arg("+inf")));
        Set<String> live = new LinkedHashSet<>();
        for (Response member : members) {
            live.add(member.toString());
        }
        return live;
    }

    // ---- messages -----------------------------------------------------------------------------------------------

    private void received(JsonNode message) {
        switch (message.path("type").asText()) {
            case "end" -> ended(message.path("id").asText(), message.get("job"));
            case "cancel" -> cancelRequested(message);
            case "find" -> findRequested(message);
            case "patch" -> {
                if (!instance.equals(message.path("from").asText())) {
                    store.vertx().executeBlocking(() -> apply(message.path("pool").asText(), message.get("update")), false)
                            .onSuccess(answer -> messages.reply(message, answer));
                }
            }
            default -> LOG.debugf("ignoring a message of type '%s'", message.path("type").asText());
        }
    }

    /** Another instance asks this one, the owner, to cancel a job. */
    private void cancelRequested(JsonNode message) {
        ObjectNode answer = json.createObjectNode();
        Optional<Job> job = engine.find(message.path("id").asText());
        if (job.isEmpty()) {
            answer.put("outcome", "unknown");
        } else if (engine.cancel(job.get())) {
            answer.put("outcome", "cancelled");
            answer.set("job", json.valueToTree(job.get().view()));
        } else {
            answer.put("outcome", "ended");
            answer.put("state", job.get().state().name());
        }
        messages.reply(message, answer);
    }

    /** Another instance asks this one, the owner, for a job or an experiment the store does not hold yet. */
    private void findRequested(JsonNode message) {
        ObjectNode answer = json.createObjectNode();
        String id = message.path("id").asText();
        if ("experiment".equals(message.path("kind").asText())) {
            experiments.find(id).ifPresent(experiment -> answer.set("experiment", json.valueToTree(experiment.view())));
        } else {
            engine.find(id).ifPresent(job -> answer.set("job", json.valueToTree(job.view())));
        }
        messages.reply(message, answer);
    }

    // ---- plumbing -----------------------------------------------------------------------------------------------

    /** Completes on the caller's Vert.x context (a request's event loop), or where it completes when there is none. */
    private static <T> CompletionStage<T> onCaller(Future<T> operation) {
        Context caller = Vertx.currentContext();
        CompletableFuture<T> answer = new CompletableFuture<>();
        operation.onComplete(result -> {
            Runnable complete = () -> {
                if (result.succeeded()) {
                    answer.complete(result.result());
                } else {
                    answer.completeExceptionally(result.cause());
                }
            };
            if (caller == null || Vertx.currentContext() == caller) {
                complete.run();
            } else {
                caller.runOnContext(ignored -> complete.run());
            }
        });
        return answer;
    }

    /** Waits up to {@code timeout} for the changes already made to reach the store (shutdown). */
    public void flush(Duration timeout) {
        if (replicator != null) {
            replicator.flush(timeout);
        }
    }

    @Override
    public void close() {
        if (store == null) {
            return;
        }
        if (sweepTimer >= 0) {
            store.vertx().cancelTimer(sweepTimer);
        }
        Membership member = membership;
        if (member != null) {
            member.close();
        }
        messages.close();
        replicator.close();
    }
}
