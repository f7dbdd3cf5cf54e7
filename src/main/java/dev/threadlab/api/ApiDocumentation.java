package dev.threadlab.api;

import dev.threadlab.experiment.ExperimentSpec;
import dev.threadlab.experiment.ExperimentState;
import dev.threadlab.experiment.Row;
import dev.threadlab.job.JobAccounts;
import dev.threadlab.job.JobState;
import dev.threadlab.pool.PoolStats;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Names shared by the OpenAPI document's annotations (tags, the security scheme, shared responses and headers, which
 * are declared in this package's {@code package-info.java}), the RFC 9457 {@code Problem} schema, and schemas for
 * requests and answers whose Java types are raw ({@code Object} numbers, so that validation can name a bad value) or
 * maps. Documentation only: nothing here is used to handle a request. {@code OpenApiContractTest} checks the document
 * against what the API really answers, so a change of behaviour that is not documented fails the build.
 */
public final class ApiDocumentation {

    public static final String JOBS = "Jobs";
    public static final String POOLS = "Pools";
    public static final String EXPERIMENTS = "Experiments";
    public static final String WORKLOADS = "Workloads";
    public static final String STATS = "Stats";

    public static final String ADMIN_TOKEN = "adminToken";
    public static final String RETRY_AFTER = "Retry-After";
    public static final String LOCATION = "Location";

    /** Shared answers, by name in components/responses. */
    public static final String NOT_ACCEPTABLE = "NotAcceptable";
    public static final String BODY_TOO_LARGE = "BodyTooLarge";
    public static final String URI_TOO_LONG = "UriTooLong";
    public static final String UNSUPPORTED_MEDIA_TYPE = "UnsupportedMediaType";
    public static final String HEADERS_TOO_LARGE = "HeadersTooLarge";
    public static final String JOB_NOT_FOUND = "JobNotFound";
    public static final String EXPERIMENT_NOT_FOUND = "ExperimentNotFound";
    public static final String TOO_MANY_WAITERS = "TooManyWaiters";
    public static final String STORE_UNAVAILABLE = "StoreUnavailable";
    public static final String WAITERS_OR_STORE = "TooManyWaitersOrStoreUnavailable";

    /** A job's request as sent; the example is one that Swagger UI's "Try it out" can send as it is. */
    public static final String JOB_EXAMPLE = "{\"workload\":\"cpu\",\"tasks\":2,\"params\":{\"iterations\":1000000}}";

    private ApiDocumentation() {
    }

    /** An RFC 9457 problem as {@link ProblemResponses} writes it: the standard members, then the extensions used. */
    @Schema(name = "Problem", description = "An RFC 9457 problem (application/problem+json). Besides type, title, "
            + "status and detail, a problem carries the extension members that fit it: field, value and allowed "
            + "(invalid-field), limit (body-too-large, uri-too-long, headers-too-large, too-many-waiters), pool, held "
            + "and capacity (pool-saturated), state (job-terminal), instance and ownerInstance (job-not-found for an id "
            + "of another instance).")
    public record ProblemDocument(
            @Schema(required = true, format = "uri", description = "The problem type: https://threadlab.dev/problems/<slug>",
                    examples = "https://threadlab.dev/problems/invalid-field") String type,
            @Schema(required = true, description = "Short summary of the problem type", examples = "Invalid request field")
            String title,
            @Schema(required = true, minimum = "400", maximum = "599", description = "The HTTP status, repeated",
                    examples = "400") int status,
            @Schema(required = true, description = "What went wrong with this request, in words",
                    examples = "'tasks' is '0'; allowed: a whole number from 1 to 256") String detail,
            @Schema(description = "The request field at fault, e.g. tasks, params.iterations, timeout, ids",
                    examples = "tasks") String field,
            @Schema(description = "The value sent for that field, as sent (any JSON type; null when absent)")
            Object value,
            @Schema(description = "What the field accepts", examples = "a whole number from 1 to 256") String allowed,
            @Schema(description = "The limit that was exceeded (bytes, characters or waiting requests)", examples = "8192")
            Long limit,
            @Schema(description = "The saturated pool", examples = "cpu") String pool,
            @Schema(description = "Tasks the saturated pool holds (running and queued)", examples = "10002") Integer held,
            @Schema(description = "Tasks the saturated pool can hold at once", examples = "10002") Long capacity,
            @Schema(description = "The state of a job that has ended already") JobState state,
            @Schema(description = "This instance's id, when the job id belongs to another instance", examples = "k3f9")
            String instance,
            @Schema(description = "The instance that the job id belongs to", examples = "x7p2") String ownerInstance) {
    }

    /**
     * Body of {@code POST /jobs} as the API takes it ({@code JobRequest} keeps its numbers raw so that validation can
     * name a bad value; here they have their real types). Bounds are the default limits ({@code threadlab.limits.*}).
     */
    @Schema(name = "JobRequest", description = "A job: `tasks` tasks (threads) of one workload on one pool, started "
            + "together and joined together. Unknown fields are refused (400).")
    public record JobRequestDocument(
            @Schema(required = true, description = "The workload to run (GET /workloads describes each)",
                    enumeration = {"cpu", "io", "file", "mixed", "counter"}, examples = "cpu") String workload,
            @Schema(description = "The pool to run on (GET /pools); default: the workload's default pool",
                    examples = "cpu") String pool,
            @Schema(minimum = "1", maximum = "256", defaultValue = "1", description = "Tasks (threads) the job fans out into",
                    examples = "2") Integer tasks,
            @Schema(description = "The workload's parameters; GET /workloads lists each with its type, default, "
                    + "min, max and unit. Absent ones take their defaults.",
                    examples = "{\"iterations\":1000000}") Map<String, Object> params,
            @Schema(minimum = "1", maximum = "3600000", defaultValue = "300000",
                    description = "Deadline counted from submission, in ms; the job ends TIMED_OUT after it",
                    examples = "30000") Long timeoutMs) {
    }

    /** Body of {@code PATCH /pools/{name}}; bounds as {@code PoolUpdate} checks them. */
    @Schema(name = "PoolUpdate", minProperties = 1, description = "A live change of a pool: any of these fields, at "
            + "least one; absent ones stay as they are. threads applies to platform and gil pools, maxConcurrency to "
            + "virtual pools, switchInterval to gil pools; another combination is refused (400).")
    public record PoolUpdateDocument(
            @Schema(minimum = "1", maximum = "1024", description = "Platform threads (platform and gil pools)",
                    examples = "4") Integer threads,
            @Schema(minimum = "1", maximum = "100000", description = "Tasks running at once (virtual pools)",
                    examples = "1000") Integer maxConcurrency,
            @Schema(minimum = "0", maximum = "1000000", description = "Tasks that may wait beyond those running",
                    examples = "10000") Integer queueCapacity,
            @Schema(description = "The GIL switch interval (gil pools), 0.1 ms to 1 s: 5ms, 1ms or a number of seconds",
                    examples = "5ms") String switchInterval) {
    }

    /** Body of {@code POST /experiments}; bounds as {@code ExperimentService} checks them. */
    @Schema(name = "ExperimentRequest", description = "Either a preset alone ({\"preset\":\"cpu-bound-gil\"}, see GET "
            + "/experiments/presets), or workload, pools and tasks (and optionally params, variants, background, "
            + "repeats). At most 100 points (variants x pools x tasks x background), 300 jobs (points x repeats) and "
            + "20,000 task runs.")
    public record ExperimentRequestDocument(
            @Schema(description = "A named experiment; it fixes every other field, so send it alone",
                    examples = "cpu-bound-gil") String preset,
            @Schema(description = "The workload (GET /workloads)", enumeration = {"cpu", "io", "file", "mixed", "counter"},
                    examples = "cpu") String workload,
            @Schema(description = "The workload's parameters, shared by every point") Map<String, Object> params,
            @Schema(maxItems = 6, description = "1 to 6 parameter sets, each merged over params: one series per variant")
            List<Map<String, Object>> variants,
            @Schema(minItems = 1, maxItems = 6, description = "1 to 6 pool names") List<String> pools,
            @Schema(minItems = 1, maxItems = 10, description = "1 to 10 task counts, each 1 to 256") List<Integer> tasks,
            @Schema(maxItems = 4, description = "Up to 4 counts (0 to 16) of CPU-bound background tasks run beside each "
                    + "measurement; default [0]") List<Integer> background,
            @Schema(minimum = "1", maximum = "10", defaultValue = "3", description = "Measured runs per point",
                    examples = "3") Integer repeats) {
    }

    /** One entry of {@code GET /experiments/presets}. */
    @Schema(name = "ExperimentPreset")
    public record PresetDocument(
            @Schema(required = true, examples = "cpu-bound-gil") String name,
            @Schema(required = true) String description,
            @Schema(required = true, description = "The experiment the preset runs, in the shape of an "
                    + "ExperimentRequest; fields it does not use are null") Map<String, Object> experiment) {
    }

    /** {@code GET /pools/{name}}, as {@code PoolResource} builds it. */
    @Schema(name = "Pool", description = "A pool's settings and live figures. threads is present on platform and gil "
            + "pools, maxConcurrency on virtual pools; interpreters, switchIntervalMs and gil on gil pools only.")
    public record PoolDocument(
            @Schema(required = true, examples = "cpu") String name,
            @Schema(required = true, description = "The instance whose pool this is (pools are per instance)",
                    examples = "k3f9") String instance,
            @Schema(required = true, enumeration = {"platform", "virtual", "gil"}, examples = "platform") String kind,
            @Schema(description = "Platform threads (platform and gil pools)", examples = "2") Integer threads,
            @Schema(description = "Tasks running at once (virtual pools)", examples = "10000") Integer maxConcurrency,
            @Schema(required = true, description = "Tasks that may wait beyond those running", examples = "10000")
            Integer queueCapacity,
            @Schema(description = "GIL tokens (gil pools): 1 is one shared GIL, N is like N processes", examples = "1")
            Integer interpreters,
            @Schema(description = "The GIL switch interval in ms (gil pools)", examples = "5.0") Double switchIntervalMs,
            @Schema(description = "GIL figures over the last minute (gil pools): held and wait ratios, switches, "
                    + "acquire latency, hold times, probe lag, and the same per interpreter") Map<String, Object> gil,
            @Schema(required = true, description = "Threads, active, queued and completed tasks, rejected jobs")
            PoolStats live,
            @Schema(required = true, description = "The pool's job accounting: submitted = finished + inFlight")
            JobAccounts.Counts jobs,
            @Schema(description = "Only in the answer to PATCH with threadlab.store=redis: each instance's settings "
                    + "of the pool after the change (threads or maxConcurrency, queueCapacity, interpreters, "
                    + "switchIntervalMs), this instance first; an instance that could not apply it says why in 'problem'")
            Map<String, Map<String, Object>> instances,
            @Schema(description = "Only in the answer to PATCH with threadlab.store=redis: live instances that did not "
                    + "confirm the change within 2 s; they apply it when they next reach the store")
            List<String> unconfirmed) {
    }

    /** {@code GET /stats}, as {@code StatsResource} builds it. */
    @Schema(name = "Stats")
    public record StatsDocument(
            @Schema(required = true, description = "This instance's id, the prefix of its job ids", examples = "k3f9")
            String instance,
            @Schema(required = true, description = "Whether SIGTERM has been received (submissions get 503)")
            boolean shuttingDown,
            @Schema(required = true, description = "Job accounting over all pools") JobAccounts.Counts jobs,
            @Schema(required = true, description = "Every pool has submitted == finished + inFlight and no duplicate ends")
            boolean balanced,
            @Schema(required = true, description = "Job accounting per pool") Map<String, JobAccounts.Counts> byPool,
            @Schema(required = true, description = "Jobs held in memory that have not ended") int unfinishedHeld,
            @Schema(required = true, description = "Jobs whose tasks all ended but which never ended themselves")
            int stalledJobs,
            @Schema(required = true, description = "Jobs known (unfinished and retained finished)") int jobsKnown,
            @Schema(required = true, description = "Finished jobs retained for reads and joins") int finishedRetained,
            @Schema(required = true, description = "Join and wait requests waiting now") int joinWaiters,
            @Schema(required = true, description = "Join and wait requests that may wait at once (threadlab.jobs.max-waiters)")
            int joinWaitersLimit,
            @Schema(required = true, description = "The job store this instance uses") StoreDocument store,
            @Schema(description = "Only with threadlab.store=redis: the cluster's figures, or 'unavailable' with the "
                    + "reason while the store does not answer") ClusterStatsDocument cluster) {
    }

    /** The {@code store} of {@code GET /stats}. */
    @Schema(name = "Store")
    public record StoreDocument(
            @Schema(required = true, enumeration = {"memory", "redis"}, description = "threadlab.store") String kind,
            @Schema(required = true, description = "Whether the store answers (always, for memory)") boolean up,
            @Schema(required = true, description = "Operations on the store that failed or got no answer in time")
            long errors) {
    }

    /** The {@code cluster} of {@code GET /stats}. */
    @Schema(name = "ClusterStats", description = "Every instance known to the store, with its accounts at its last "
            + "heartbeat (a dead instance's jobs that others recorded lost count as finished), and the totals")
    public record ClusterStatsDocument(
            @Schema(description = "Sums over the instances, plus how many instances there are and are alive")
            Map<String, Long> totals,
            @Schema(description = "One row per instance: instance, alive, lastHeartbeat, submitted, finished, "
                    + "inFlight, rejected, lostJobs") List<Map<String, Object>> instances,
            @Schema(description = "Why the cluster's figures are missing: the store does not answer") String unavailable) {
    }

    /**
     * An experiment as {@code Experiment.View} writes it, under a name of its own (the Java names View and Progress
     * are shared with other types and would come out as View and Progress1).
     */
    @Schema(name = "Experiment", description = "An experiment: its spec, state, progress and, per point, the medians "
            + "of its measured runs. Absent fields are left out.")
    public record ExperimentDocument(
            @Schema(required = true, examples = "k3f9-r7q5fk6hqb2uw84b") String id,
            @Schema(description = "The preset it runs, if any", examples = "cpu-bound-gil") String preset,
            @Schema(description = "The preset's description") String description,
            @Schema(required = true) ExperimentState state,
            @Schema(required = true, description = "Whether it has ended") boolean done,
            @Schema(required = true, description = "What it runs, defaults filled in") ExperimentSpec spec,
            @Schema(required = true) ExperimentProgressDocument progress,
            @Schema(required = true) Instant submittedAt,
            Instant startedAt,
            Instant finishedAt,
            @Schema(description = "Why it FAILED") String error,
            @Schema(required = true, description = "One row per measured point, in the order they ran") List<Row> rows) {
    }

    /** {@code Experiment.Progress}. */
    @Schema(name = "ExperimentProgress")
    public record ExperimentProgressDocument(
            @Schema(required = true) int pointsDone,
            @Schema(required = true) int points,
            @Schema(required = true) int jobsDone,
            @Schema(required = true) int jobs) {
    }
}
