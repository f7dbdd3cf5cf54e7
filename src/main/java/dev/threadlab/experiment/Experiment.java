package dev.threadlab.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.threadlab.experiment.ExperimentSpec.Point;
import dev.threadlab.job.Awaitable;
import dev.threadlab.job.Completion;
import dev.threadlab.job.Job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * One experiment: its spec, what each point measured so far, and its state.
 *
 * <p>A cancel ends the experiment at once (like a job's cancel) and hands back the jobs it was running, for the
 * caller to cancel; the runner thread notices at its next step and measures nothing more.
 *
 * <p>Thread-safety: {@code lock} guards the state fields, {@code running} and {@code measurements}; the runner thread
 * writes, request threads read consistent snapshots through {@link #view()}. {@code completion} completes once,
 * outside the lock, when the experiment becomes terminal.
 */
public final class Experiment {

    /** The experiment as clients see it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record View(String id, String preset, String description, ExperimentState state, boolean done,
                       ExperimentSpec spec, Progress progress, Instant submittedAt, Instant startedAt, Instant finishedAt,
                       String error, List<Row> rows) {
    }

    public record Progress(int pointsDone, int points, int jobsDone, int jobs) {
    }

    private final String id;
    private final ExperimentSpec spec;
    private final List<Point> points;
    private final Instant submittedAt = Instant.now();
    private final Completion completion = new Completion();

    private final ReentrantLock lock = new ReentrantLock();
    private final List<List<Measurement>> measurements = new ArrayList<>();
    /** The jobs the runner has submitted for the point it measures now. */
    private final List<Job> running = new ArrayList<>();
    private ExperimentState state = ExperimentState.QUEUED;
    private Instant startedAt;
    private Instant finishedAt;
    private String error;

    Experiment(String id, ExperimentSpec spec) {
        this.id = id;
        this.spec = spec;
        this.points = spec.points();
        for (int i = 0; i < points.size(); i++) {
            measurements.add(new ArrayList<>());
        }
    }

    public String id() {
        return id;
    }

    ExperimentSpec spec() {
        return spec;
    }

    List<Point> points() {
        return points;
    }

    public ExperimentState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** Ends when the experiment becomes terminal. */
    public Awaitable completion() {
        return completion;
    }

    boolean ended() {
        return state().terminal();
    }

    /**
     * Ends the experiment as CANCELLED at once.
     *
     * @return the jobs it was running, for the caller to cancel; null if it had ended already
     */
    List<Job> cancel() {
        List<Job> stopped;
        lock.lock();
        try {
            if (state.terminal()) {
                return null;
            }
            stopped = List.copyOf(running);
            running.clear();
            endLocked(ExperimentState.CANCELLED, null);
        } finally {
            lock.unlock();
        }
        completion.complete();
        return stopped;
    }

    /**
     * Records a job the runner submitted for the current point.
     *
     * @return false if the experiment has ended meanwhile: the runner cancels the job itself
     */
    boolean running(Job job) {
        lock.lock();
        try {
            if (state.terminal()) {
                return false;
            }
            running.add(job);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The current point's jobs are over. */
    void pointDone() {
        lock.lock();
        try {
            running.clear();
        } finally {
            lock.unlock();
        }
    }

    /** @return false if it was cancelled while queued */
    boolean start() {
        lock.lock();
        try {
            if (state != ExperimentState.QUEUED) {
                return false;
            }
            state = ExperimentState.RUNNING;
            startedAt = Instant.now();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Adds a measurement, unless the experiment has ended meanwhile (a cancel keeps what it saw). */
    void record(int pointIndex, Measurement measurement) {
        lock.lock();
        try {
            if (state.terminal()) {
                return;
            }
            measurements.get(pointIndex).add(measurement);
        } finally {
            lock.unlock();
        }
    }

    void end(ExperimentState terminal, String failure) {
        lock.lock();
        try {
            if (state.terminal()) {
                return;
            }
            endLocked(terminal, failure);
        } finally {
            lock.unlock();
        }
        completion.complete();
    }

    /** Holds {@code lock}. */
    private void endLocked(ExperimentState terminal, String failure) {
        state = terminal;
        error = failure;
        finishedAt = Instant.now();
    }

    Instant finishedAt() {
        lock.lock();
        try {
            return finishedAt;
        } finally {
            lock.unlock();
        }
    }

    public View view() {
        lock.lock();
        try {
            int jobsDone = measurements.stream().mapToInt(List::size).sum();
            int pointsDone = (int) measurements.stream().filter(m -> m.size() >= spec.repeats()).count();
            return new View(id, spec.preset(), spec.description(), state, state.terminal(), spec,
                    new Progress(pointsDone, points.size(), jobsDone, points.size() * spec.repeats()),
                    submittedAt, startedAt, finishedAt, error, rows());
        } finally {
            lock.unlock();
        }
    }

    /** Rows of the points measured so far. Holds {@code lock}. */
    private List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            List<Measurement> done = measurements.get(i);
            if (done.isEmpty()) {
                continue;
            }
            Point point = points.get(i);
            double[] walls = done.stream().mapToDouble(Measurement::wallMs).sorted().toArray();
            double wall = median(walls);
            Double speedup = null;
            Double efficiency = null;
            Double baseline = baselineWall(point);
            if (baseline != null && wall > 0) {
                speedup = round(point.tasks() * baseline / wall);
                efficiency = round(speedup / point.tasks());
            }
            rows.add(new Row(point.variant(), point.pool(), point.tasks(), point.background(), done.size(),
                    round(wall), walls[0], walls[walls.length - 1],
                    round(wall > 0 ? point.tasks() / (wall / 1000) : 0), speedup, efficiency,
                    medianOf(done, m -> m.cpuMs() == null || m.wallMs() <= 0 ? null : m.cpuMs() / m.wallMs()),
                    medianOf(done, m -> m.gilWaitMs() == null || m.wallMs() <= 0 ? null
                            : m.gilWaitMs() / (m.wallMs() * point.tasks())),
                    medianOf(done, Measurement::queueMs), medianOf(done, Measurement::chunkLatencyP50Ms),
                    medianOf(done, Measurement::lostUpdates), medianOf(done, Measurement::lockWaitMs)));
        }
        return rows;
    }

    /** Median wall of the tasks = 1 point with the same variant, pool and background. Holds {@code lock}. */
    private Double baselineWall(Point point) {
        for (int i = 0; i < points.size(); i++) {
            Point candidate = points.get(i);
            if (candidate.tasks() == 1 && candidate.pool().equals(point.pool())
                    && candidate.background() == point.background() && candidate.variant().equals(point.variant())
                    && !measurements.get(i).isEmpty()) {
                return median(measurements.get(i).stream().mapToDouble(Measurement::wallMs).sorted().toArray());
            }
        }
        return null;
    }

    private static Double medianOf(List<Measurement> done, Function<Measurement, Double> figure) {
        double[] values = done.stream().map(figure).filter(Objects::nonNull).mapToDouble(Double::doubleValue).toArray();
        if (values.length == 0) {
            return null;
        }
        Arrays.sort(values);
        return round(median(values));
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }
}
