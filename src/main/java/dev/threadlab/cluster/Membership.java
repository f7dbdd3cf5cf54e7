package dev.threadlab.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadlab.experiment.Experiment;
import dev.threadlab.experiment.ExperimentService;
import dev.threadlab.job.Job;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.JobEvents;
import dev.threadlab.job.JobState;
import io.quarkus.runtime.Quarkus;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * This instance's membership of the cluster, on its own thread, once per heartbeat period:
 * <ol>
 *   <li><b>heartbeat</b>: renews {@code instance:{id}} (a token of this process, expiring after the instance
 *       timeout) and publishes this instance's figures. The first heartbeat answered is the <b>join</b> (whether
 *       it set the key, or an earlier one did whose answer came after the deadline); the join's work is done again
 *       at the next heartbeat until it completes, and after any heartbeat whose answer did not come in time (Redis
 *       may have run it, re-creating a lost key unseen); finding the key gone
 *       later is a <b>rejoin</b> (Redis restarted, or this instance was cut off or paused for longer than the
 *       timeout). At a join or rejoin, and whenever the store is reached again after failed writes, the join's work
 *       is done: every job this instance holds is published again; leftovers of an earlier process with this id are
 *       recorded lost; the pool changes made meanwhile are applied.</li>
 *   <li><b>conflict</b>: another process renews the same key: after waiting long enough to be sure it is alive,
 *       this instance stops with a message saying so.</li>
 *   <li><b>lost instances</b>: an instance whose heartbeat expired and that left unfinished jobs is claimed
 *       ({@code reap:{id}}, one claimant at a time) and each of its unfinished jobs is recorded FAILED with a problem
 *       of type {@code instance-lost}, by a compare-and-set so that exactly one instance records each. Only once the
 *       store has answered for a full timeout plus a period: after a Redis restart every heartbeat is gone at once,
 *       and nobody is lost until each had its chance to renew.</li>
 *   <li><b>experiments</b>: unfinished ones, and ended ones once, are published for other instances to read.</li>
 * </ol>
 *
 * <p>Thread-safety: everything but {@link #close} runs on the one membership thread, which owns the mutable fields;
 * {@code joined} and {@code heartbeatSent} are volatile for {@link #close} and {@link #joined}.
 */
final class Membership implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Membership.class);
    private static final int CHUNK = 200;

    private final RedisStore store;
    private final ObjectMapper json;
    private final String instance;
    private final JobEngine engine;
    private final ExperimentService experiments;
    private final JobReplicator replicator;
    private final JobEvents events;
    private final ClusterSettings settings;
    private final Runnable onJoined;
    private final String token = UUID.randomUUID().toString();
    private final ScheduledExecutorService thread;
    private final Set<String> publishedEnded = new HashSet<>();
    private volatile boolean joined;
    private volatile boolean heartbeatSent;
    private boolean joinPending = true;
    private long conflictSinceNanos;

    Membership(RedisStore store, ObjectMapper json, String instance, JobEngine engine, ExperimentService experiments,
               JobReplicator replicator, JobEvents events, ClusterSettings settings, Runnable onJoined) {
        this.store = store;
        this.json = json;
        this.instance = instance;
        this.engine = engine;
        this.experiments = experiments;
        this.replicator = replicator;
        this.events = events;
        this.settings = settings;
        this.onJoined = onJoined;
        this.thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("threadlab-membership").daemon(true).factory());
    }

    void start() {
        thread.scheduleWithFixedDelay(this::tick, 0, settings.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            heartbeat();
            if (joined) {
                publishExperiments();
                if (store.health().upForMillis() >= settings.instanceTimeout().plus(settings.heartbeat()).toMillis()) {
                    recordLostInstances();
                }
            }
        } catch (StoreUnavailableException e) {
            LOG.debugf("membership tick: %s", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("the membership tick failed; it runs again at the next heartbeat", e);
        }
    }

    // ---- heartbeat, join, conflict ------------------------------------------------------------------------------

    private void heartbeat() {
        long now = System.currentTimeMillis();
        heartbeatSent = true;
        Response answer;
        try {
            answer = RedisStore.await(store.send(RedisStore.script(Script.HEARTBEAT,
                    List.of(Keys.instance(instance), Keys.INSTANCES, Keys.counts(instance)), token,
                    settings.instanceTimeout().toMillis(), now, now - retentionMs(), figures(now), retentionMs(), instance)));
        } catch (StoreUnavailableException e) {
            // its outcome is unknown: Redis may still run it and (re)create the key unseen, so the next answer that
            // finds the key ours must not be taken for a mere renewal: the join's work is done again then
            joinPending = true;
            throw e;
        }
        int renewed = answer.toInteger();
        if (renewed == 0) {
            conflict();
            return;
        }
        conflictSinceNanos = 0;
        if (renewed == 2 && joined) {
            LOG.warnf("the store had lost instance '%s' (Redis restarted, or this instance was unreachable for over %d s): joining again",
                    instance, settings.instanceTimeout().toSeconds());
            store.health().restarted();
            joinPending = true;
        }
        if (!replicator.active() && !joinPending) {
            // writes failed meanwhile: the jobs, the pool changes made elsewhere and the ends sent while messages did
            // not arrive are all caught up by the join's work
            LOG.info("the store is reachable again: publishing this instance's jobs again");
            joinPending = true;
        }
        if (joinPending) {
            join(); // a store failure half way leaves it pending: it is done again, whole, at the next heartbeat
            joinPending = false;
            if (!joined) {
                LOG.infof("instance '%s' joined the cluster in Redis", instance);
                joined = true;
            }
        }
    }

    /**
     * Whether this instance has joined the cluster in the store: its join's work is done (its jobs published, its
     * earlier process's leftovers recorded, the cluster's pool settings applied), and it records lost instances.
     */
    boolean joined() {
        return joined;
    }

    private void join() {
        replicator.republishAll();
        publishedEnded.clear();
        // what this process holds, finished or not, is its own; only what an earlier process with this id left is lost
        recordLost(instance, id -> engine.find(id).isEmpty(), "instance '" + instance
                + "' restarted while this job was unfinished: a new process took its id");
        onJoined.run();
    }

    private void conflict() {
        long now = System.nanoTime();
        long patienceNanos = settings.instanceTimeout().plus(settings.heartbeat().multipliedBy(2)).toNanos();
        if (conflictSinceNanos == 0) {
            conflictSinceNanos = now;
            LOG.warnf("another process holds instance id '%s' in Redis; waiting %d s to see whether it is alive",
                    instance, patienceNanos / 1_000_000_000);
        } else if (now - conflictSinceNanos > patienceNanos) {
            LOG.errorf("another live instance uses the instance id '%s' (its heartbeat in Redis keeps being renewed): "
                    + "every instance needs its own threadlab.instance-id (env THREADLAB_INSTANCE_ID); stopping", instance);
            thread.shutdown();
            Quarkus.asyncExit(1);
        }
    }

    /** This instance's figures for {@code GET /stats} on any instance. */
    private String figures(long now) {
        ObjectNode figures = json.createObjectNode();
        figures.put("instance", instance);
        figures.put("at", now);
        figures.put("shuttingDown", engine.shuttingDown());
        figures.set("jobs", json.valueToTree(engine.accounts().snapshot().get("total")));
        return figures.toString();
    }

    // ---- lost instances -----------------------------------------------------------------------------------------

    private void recordLostInstances() {
        long cutoff = System.currentTimeMillis() - settings.instanceTimeout().toMillis();
        Response silent = RedisStore.await(store.send(
                Request.cmd(Command.ZRANGEBYSCORE).arg(Keys.INSTANCES).arg("-inf").arg(cutoff)));
        for (Response member : silent) {
            String other = member.toString();
            if (other.equals(instance)) {
                continue;
            }
            List<Response> state = RedisStore.await(store.batch(List.of(
                    Request.cmd(Command.EXISTS).arg(Keys.instance(other)),
                    Request.cmd(Command.SCARD).arg(Keys.unfinished(other)))));
            if (state.get(0).toLong() != 0 || state.get(1).toLong() == 0) {
                continue; // alive after all, or nothing to record
            }
            Response claim = RedisStore.await(store.send(Request.cmd(Command.SET).arg(Keys.reap(other)).arg(instance)
                    .arg("NX").arg("PX").arg(settings.instanceTimeout().toMillis())));
            if (claim == null) {
                continue; // another instance records them now
            }
            int recorded = recordLost(other, id -> true, "instance '" + other + "' stopped answering: no heartbeat for "
                    + settings.instanceTimeout().toSeconds() + " s while this job was unfinished; recorded by '" + instance + "'");
            if (recorded > 0) {
                LOG.warnf("instance '%s' is lost: %d of its unfinished jobs recorded FAILED (instance-lost) here", other, recorded);
            }
        }
    }

    /**
     * Records the unfinished jobs of {@code owner} that {@code which} selects as FAILED (instance-lost), each by a
     * compare-and-set against the JSON read; jobs that ended or expired meanwhile only leave the unfinished set.
     *
     * @return how many this instance recorded
     */
    private int recordLost(String owner, Predicate<String> which, String detail) {
        List<String> ids = new ArrayList<>();
        for (Response member : RedisStore.await(store.send(Request.cmd(Command.SMEMBERS).arg(Keys.unfinished(owner))))) {
            if (which.test(member.toString())) {
                ids.add(member.toString());
            }
        }
        int recorded = 0;
        for (int from = 0; from < ids.size(); from += CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
            Request read = Request.cmd(Command.MGET);
            chunk.forEach(id -> read.arg(Keys.job(id)));
            Response stored = RedisStore.await(store.send(read));
            List<Request> writes = new ArrayList<>();
            List<JsonNode> written = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                String id = chunk.get(i);
                Response current = stored.get(i);
                JsonNode job = current == null ? null : RedisStore.jsonOrNull(json, current.toString());
                if (job == null || JobState.valueOf(job.path("state").asText("QUEUED")).terminal()) {
                    writes.add(Request.cmd(Command.SREM).arg(Keys.unfinished(owner)).arg(id));
                    written.add(null);
                    continue;
                }
                writes.add(RedisStore.script(Script.RECORD_LOST,
                        List.of(Keys.job(id), Keys.unfinished(owner), Keys.watch(id), Keys.lost(owner)),
                        id, current.toString(), lostJson((ObjectNode) job, owner, detail), retentionMs(), Keys.TO_PREFIX));
                written.add(job);
            }
            List<Response> answers = RedisStore.await(store.batch(writes));
            for (int i = 0; i < answers.size(); i++) {
                JsonNode job = written.get(i);
                if (job != null && answers.get(i).toLong() == 1) {
                    events.recordedLost(job.path("pool").asText(), job.path("workload").asText());
                    recorded++;
                }
            }
        }
        return recorded;
    }

    private String lostJson(ObjectNode job, String owner, String detail) {
        ObjectNode lost = job.deepCopy();
        lost.put("state", JobState.FAILED.name());
        lost.put("done", true);
        lost.remove("cancelReason");
        lost.put("finishedAt", Instant.now().toString());
        lost.set("error", json.valueToTree(Job.lostError(detail, owner)));
        return lost.toString();
    }

    // ---- experiments --------------------------------------------------------------------------------------------

    private void publishExperiments() {
        List<Request> writes = new ArrayList<>();
        List<String> ended = new ArrayList<>();
        for (Experiment experiment : experiments.all()) {
            boolean terminal = experiment.state().terminal();
            if (terminal && publishedEnded.contains(experiment.id())) {
                continue;
            }
            try {
                writes.add(Request.cmd(Command.SET).arg(Keys.experiment(experiment.id()))
                        .arg(json.writeValueAsString(experiment.view())).arg("PX").arg(retentionMs()));
            } catch (Exception e) {
                LOG.errorf(e, "experiment %s could not be written as JSON", experiment.id());
                continue;
            }
            if (terminal) {
                ended.add(experiment.id());
            }
        }
        if (!writes.isEmpty()) {
            RedisStore.await(store.batch(writes));
            publishedEnded.addAll(ended);
        }
        if (publishedEnded.size() > 4 * 1024) {
            publishedEnded.clear(); // retained experiments are far fewer; at worst they are written once more
        }
    }

    private long retentionMs() {
        return settings.retention().toMillis();
    }

    /** Stops the heartbeat and leaves: other instances see this one gone at once, not after the timeout. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            // a heartbeat in flight must not renew the key after it is deleted
            if (!thread.awaitTermination(2, TimeUnit.SECONDS)) {
                LOG.debug("leaving the cluster: the membership thread is still busy");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (heartbeatSent) { // the key may be this process's even if no answer said so
            try {
                RedisStore.await(store.send(RedisStore.script(Script.LEAVE, List.of(Keys.instance(instance)), token)));
            } catch (StoreUnavailableException e) {
                LOG.debugf("leaving the cluster: %s", e.getMessage());
            }
        }
    }
}
