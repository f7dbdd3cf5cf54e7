package dev.threadlab.experiment;

import dev.threadlab.experiment.ExperimentSpec.Point;
import dev.threadlab.input.InvalidInputException;
import dev.threadlab.input.ParamSpec;
import dev.threadlab.input.Params;
import dev.threadlab.job.IdGenerator;
import dev.threadlab.job.Job;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.JobRequest;
import dev.threadlab.job.JobState;
import dev.threadlab.job.ShuttingDownException;
import dev.threadlab.pool.PoolSaturatedException;
import dev.threadlab.workload.Workload;
import dev.threadlab.workload.WorkloadCatalog;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Validates, runs and keeps experiments. Experiments run one at a time on a single runner thread, and their points
 * one after another, so that nothing else this service starts disturbs a measurement; each repetition is an
 * ordinary job, and one unrecorded run of the first point warms the JIT up before anything is measured. Limits:
 * points, repetitions, task runs and a wall-clock budget per experiment, plus a bounded queue of waiting experiments.
 *
 * <p>Thread-safety: experiments live in concurrent collections; each experiment is thread-safe; the runner thread
 * is the only one that submits an experiment's jobs.
 */
public final class ExperimentService implements AutoCloseable {

    /** Bounds of one experiment. */
    public record Limits(int maxPoints, int maxJobs, int maxTaskRuns, Duration maxDuration, int maxQueued,
                         int maxRetained, Duration retention) {
        public static final Limits DEFAULT = new Limits(100, 300, 20_000, Duration.ofMinutes(10), 10, 100,
                Duration.ofMinutes(15));
    }

    /** A client's request, raw, as JSON decodes it. */
    public record Request(String preset, String workload, Map<String, Object> params, List<Map<String, Object>> variants,
                          List<String> pools, List<Object> tasks, List<Object> background, Object repeats) {
    }

    private static final Logger LOG = Logger.getLogger(ExperimentService.class);
    private static final Duration BACKGROUND_START = Duration.ofSeconds(5);
    private static final Duration JOB_END_MARGIN = Duration.ofSeconds(30);

    private final JobEngine engine;
    private final IdGenerator ids;
    private final Limits limits;
    private final Map<String, Experiment> byId = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Experiment> finishedOrder = new ConcurrentLinkedQueue<>();
    private final ThreadPoolExecutor runner;

    public ExperimentService(JobEngine engine, IdGenerator ids, Limits limits) {
        this.engine = engine;
        this.ids = ids;
        this.limits = limits;
        this.runner = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(limits.maxQueued()),
                Thread.ofPlatform().name("threadlab-experiments").daemon(true).factory());
    }

    /**
     * Validates and queues an experiment.
     *
     * @throws InvalidInputException naming the field and limit
     * @throws ExperimentsBusyException when too many experiments wait already
     */
    public Experiment submit(Request request) {
        ExperimentSpec spec = validate(request);
        Experiment experiment = new Experiment(ids.next(), spec);
        byId.put(experiment.id(), experiment);
        try {
            runner.execute(() -> run(experiment));
        } catch (RejectedExecutionException full) {
            byId.remove(experiment.id());
            throw new ExperimentsBusyException(limits.maxQueued());
        }
        experiment.completion().attach(() -> retire(experiment));
        return experiment;
    }

    /** @throws ExperimentNotFoundException for an unknown or evicted id */
    public Experiment get(String id) {
        Experiment experiment = byId.get(id);
        if (experiment == null) {
            throw ExperimentNotFoundException.here(id);
        }
        return experiment;
    }

    /** The experiment if this instance holds it. */
    public Optional<Experiment> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Every experiment held now: queued, running and retained. */
    public List<Experiment> all() {
        return List.copyOf(byId.values());
    }

    /**
     * Ends an experiment as CANCELLED at once and cancels the jobs it is running.
     *
     * @throws ExperimentEndedException when it has ended already
     */
    public Experiment cancel(String id) {
        Experiment experiment = get(id);
        List<Job> running = experiment.cancel();
        if (running == null) {
            throw new ExperimentEndedException(id, experiment.state());
        }
        running.forEach(this::cancelQuietly);
        return experiment;
    }

    public List<Map<String, Object>> presets() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Map.Entry<String, Request> preset : Presets.ALL.entrySet()) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("name", preset.getKey());
            view.put("description", Presets.DESCRIPTIONS.get(preset.getKey()));
            view.put("experiment", preset.getValue());
            list.add(view);
        }
        return list;
    }

    ExperimentSpec validate(Request request) {
        if (request.preset() != null) {
            Request preset = Presets.ALL.get(request.preset());
            if (preset == null) {
                throw new InvalidInputException("preset", request.preset(), "one of " + Presets.ALL.keySet());
            }
            if (request.workload() != null || request.pools() != null || request.tasks() != null || request.params() != null
                    || request.variants() != null || request.background() != null || request.repeats() != null) {
                throw new InvalidInputException("preset", request.preset(), "a preset alone: it fixes every other field");
            }
            return spec(request.preset(), Presets.DESCRIPTIONS.get(request.preset()), preset);
        }
        return spec(null, null, request);
    }

    private ExperimentSpec spec(String preset, String description, Request request) {
        Workload workload = engine.workloads().get(request.workload());
        Map<String, Object> params = request.params() == null ? Map.of() : request.params();
        List<Map<String, Object>> variants = request.variants() == null || request.variants().isEmpty()
                ? List.of(Map.of()) : request.variants();
        if (variants.size() > 6) {
            throw new InvalidInputException("variants", variants.size() + " variants", "1 to 6 parameter variants");
        }
        for (int i = 0; i < variants.size(); i++) {
            if (variants.get(i) == null) {
                throw new InvalidInputException("variants[" + i + "]", null, "an object of parameters");
            }
            Map<String, Object> merged = new LinkedHashMap<>(params);
            merged.putAll(variants.get(i));
            Params.validate(WorkloadCatalog.allParams(workload), merged); // 400 naming params.<name>
        }
        if (request.pools() == null || request.pools().isEmpty() || request.pools().size() > 6) {
            throw new InvalidInputException("pools", request.pools(), "1 to 6 pool names");
        }
        List<String> pools = List.copyOf(new LinkedHashSet<>(request.pools()));
        for (String pool : pools) {
            if (engine.pools().find(pool).isEmpty()) {
                throw new InvalidInputException("pools", pool, "names of pools: " + engine.pools().names());
            }
        }
        List<Integer> tasks = integers("tasks", request.tasks(), List.of(), 1, engine.settings().maxTasks(), 10);
        if (tasks.isEmpty()) {
            throw new InvalidInputException("tasks", "[]", "1 to 10 task counts, each 1 to " + engine.settings().maxTasks());
        }
        List<Integer> background = integers("background", request.background(), List.of(0), 0, 16, 4);
        int repeats = Math.toIntExact((Long) ParamSpec.integer("repeats", 3, 1, 10, "repeats", "repeats")
                .accept(request.repeats(), "repeats"));
        ExperimentSpec spec = new ExperimentSpec(preset, description, workload.name(), params, variants, pools, tasks,
                background, repeats);
        checkSize(spec);
        return spec;
    }

    private void checkSize(ExperimentSpec spec) {
        if (spec.pointCount() > limits.maxPoints()) {
            throw new InvalidInputException("points", spec.pointCount(),
                    "at most " + limits.maxPoints() + " points (variants × pools × tasks × background)");
        }
        if (spec.pointCount() * spec.repeats() > limits.maxJobs()) {
            throw new InvalidInputException("repeats", spec.repeats(),
                    "at most " + limits.maxJobs() + " jobs in all (points × repeats); this asks " + spec.pointCount() * spec.repeats());
        }
        long taskRuns = 0;
        for (Point point : spec.points()) {
            taskRuns += (long) (point.tasks() + point.background()) * spec.repeats();
        }
        if (taskRuns > limits.maxTaskRuns()) {
            throw new InvalidInputException("tasks", spec.tasks(), "at most " + limits.maxTaskRuns()
                    + " task runs in all (sum of tasks × repeats over the points); this asks " + taskRuns);
        }
    }

    private static List<Integer> integers(String field, List<Object> raw, List<Integer> fallback, int min, int max, int most) {
        if (raw == null) {
            return fallback;
        }
        if (raw.size() > most) {
            throw new InvalidInputException(field, raw.size() + " values", "at most " + most + " values");
        }
        ParamSpec spec = ParamSpec.integer(field, min, min, max, null, field);
        LinkedHashSet<Integer> values = new LinkedHashSet<>();
        for (int i = 0; i < raw.size(); i++) {
            values.add(Math.toIntExact((Long) spec.accept(raw.get(i) == null ? Double.NaN : raw.get(i), field + "[" + i + "]")));
        }
        return values.stream().sorted().toList();
    }

    private void run(Experiment experiment) {
        if (!experiment.start()) {
            return;
        }
        ExperimentSpec spec = experiment.spec();
        long deadline = System.nanoTime() + limits.maxDuration().toNanos();
        List<Point> points = experiment.points();
        try {
            // one unrecorded run of the first point warms the JIT up, so the first measured point is not the slowest
            measure(experiment, points.get(0), deadline);
            for (int i = 0; i < points.size(); i++) {
                Point point = points.get(i);
                for (int repeat = 0; repeat < spec.repeats(); repeat++) {
                    if (experiment.ended()) {
                        return; // cancelled: it ended at the cancel
                    }
                    if (System.nanoTime() > deadline) {
                        experiment.end(ExperimentState.TIMED_OUT, "the experiment ran longer than " + limits.maxDuration());
                        return;
                    }
                    Measurement measurement = measure(experiment, point, deadline);
                    if (measurement != null) {
                        experiment.record(i, measurement);
                    }
                }
            }
            experiment.end(ExperimentState.SUCCEEDED, null);
        } catch (InvalidInputException | PoolSaturatedException | ShuttingDownException refused) {
            experiment.end(ExperimentState.FAILED, refused.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            experiment.end(ExperimentState.CANCELLED, "the service is shutting down");
        } catch (RuntimeException e) {
            LOG.error("experiment failed", e);
            experiment.end(ExperimentState.FAILED, "the experiment could not run to its end");
        }
    }

    /**
     * Runs one repetition of a point as a job (with background CPU jobs if asked) and measures it.
     *
     * @return null when the experiment ended meanwhile (its jobs are cancelled then)
     */
    private Measurement measure(Experiment experiment, Point point, long deadline) throws InterruptedException {
        Job background = null;
        try {
            if (point.background() > 0) {
                background = submitFor(experiment, new JobRequest("cpu", point.pool(), point.background(),
                        Map.of("iterations", 10_000_000_000L), null));
                long started = System.nanoTime() + BACKGROUND_START.toNanos();
                while (background.state() == JobState.QUEUED && System.nanoTime() < started) {
                    TimeUnit.MILLISECONDS.sleep(1); // bounded: the background must be running before the point is
                }
            }
            Map<String, Object> params = new LinkedHashMap<>(experiment.spec().params());
            params.putAll(point.variant());
            long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            long timeoutMs = Math.min(remainingMs, engine.settings().maxTimeoutMs());
            Job job = submitFor(experiment, new JobRequest(experiment.spec().workload(), point.pool(), point.tasks(),
                    params, timeoutMs));
            // the job's own deadline ends it within timeoutMs; the margin only guards against a stuck end
            if (!job.completion().await(Duration.ofMillis(timeoutMs).plus(JOB_END_MARGIN))) {
                cancelQuietly(job);
            }
            return experiment.ended() ? null : Measurement.of(job.view());
        } finally {
            if (background != null) {
                cancelQuietly(background);
                background.completion().await(JOB_END_MARGIN);
            }
            experiment.pointDone();
        }
    }

    /** Submits a job for the experiment; cancels it at once if the experiment ended meanwhile. */
    private Job submitFor(Experiment experiment, JobRequest request) {
        Job job = engine.submit(request);
        if (!experiment.running(job)) {
            cancelQuietly(job);
        }
        return job;
    }

    /** Cancels a job of the experiment by reference (it may have ended, or even left retention, meanwhile). */
    private void cancelQuietly(Job job) {
        engine.cancel(job);
    }

    private void retire(Experiment finished) {
        finishedOrder.add(finished);
        Instant cutoff = Instant.now().minus(limits.retention());
        Experiment oldest;
        while ((oldest = finishedOrder.peek()) != null
                && (finishedOrder.size() > limits.maxRetained() || oldest.finishedAt().isBefore(cutoff))) {
            if (finishedOrder.remove(oldest)) {
                byId.remove(oldest.id());
            }
        }
    }

    @Override
    public void close() {
        for (Experiment experiment : byId.values()) {
            List<Job> running = experiment.cancel();
            if (running != null) {
                running.forEach(this::cancelQuietly);
            }
        }
        runner.shutdownNow();
    }
}
