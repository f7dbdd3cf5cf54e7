package dev.threadlab.api;

import dev.threadlab.cluster.Cluster;
import dev.threadlab.cluster.TrackedJob;
import dev.threadlab.config.ThreadlabConfig;
import dev.threadlab.input.Durations;
import dev.threadlab.input.InvalidInputException;
import dev.threadlab.job.Job;
import dev.threadlab.job.Awaitable;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.JobFilter;
import dev.threadlab.job.JobRequest;
import dev.threadlab.job.JobState;
import dev.threadlab.job.JobView;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code /jobs}: submit, read, join, cancel and wait for jobs. Only translates HTTP to the {@link JobEngine} (jobs
 * submitted here) and the {@link Cluster} (any job, wherever it runs). Every method but the list is non-blocking:
 * waits are futures completed by the job's end, here or as told by the store, so a waiting request holds no thread.
 */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@NonBlocking
@Tag(name = ApiDocumentation.JOBS)
public class JobResource {

    private static final Duration DEFAULT_JOIN = Duration.ofSeconds(30);

    private final JobEngine engine;
    private final Cluster cluster;
    private final AsyncWait waiting;
    private final Duration maxWait;
    private final int maxListLimit;
    private final int maxWaitIds;

    public JobResource(JobEngine engine, Cluster cluster, AsyncWait waiting, ThreadlabConfig config) {
        this.engine = engine;
        this.cluster = cluster;
        this.waiting = waiting;
        this.maxWait = config.jobs().maxWait();
        this.maxListLimit = config.limits().listLimit();
        this.maxWaitIds = config.limits().waitIds();
    }

    @POST
    @Operation(operationId = "submitJob", summary = "Submit a job",
            description = "202 with the job as accepted: id, workload, pool, tasks and state QUEUED (the whole job is at the Location); with ?wait=10s or 'Prefer: wait=10' the answer waits (capped) and is 200 with the finished job if it ended in time, else 202 with the job as it is then")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ApiDocumentation.JobRequestDocument.class),
            examples = {
                    @ExampleObject(name = "cpu", summary = "2 CPU-bound tasks on the cpu pool", value = ApiDocumentation.JOB_EXAMPLE),
                    @ExampleObject(name = "io", summary = "100 tasks that each wait 1 s, on virtual threads",
                            value = "{\"workload\":\"io\",\"tasks\":100,\"params\":{\"durationMs\":1000}}"),
                    @ExampleObject(name = "counter", summary = "the race: 2 tasks increment one counter without a lock",
                            value = "{\"workload\":\"counter\",\"tasks\":2,\"params\":{\"sync\":\"none\"}}"),
            }))
    @APIResponse(responseCode = "200", description = "Only with ?wait or Prefer: wait: the job ended within the wait; the whole job",
            headers = @Header(name = "Preference-Applied", description = "wait=N (seconds, after capping) when a Prefer: wait was honoured",
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "202", description = "Accepted. Without a wait: the job as accepted (id, workload, pool, tasks, state QUEUED); after a wait that timed out: the whole job as it is then",
            headers = {
                    @Header(name = ApiDocumentation.LOCATION, ref = ApiDocumentation.LOCATION),
                    @Header(name = "Preference-Applied", description = "wait=N (seconds, after capping) when a Prefer: wait was honoured",
                            schema = @Schema(type = SchemaType.STRING)),
            },
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "400", description = "Bad Request: invalid-field (a field out of range or of the wrong type, an unknown field, workload or pool; 'field', 'value', 'allowed'; also a bad ?wait), malformed-json, unreadable-body, or no body",
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "413", ref = ApiDocumentation.BODY_TOO_LARGE)
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "415", ref = ApiDocumentation.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    @APIResponse(responseCode = "503", description = "Service Unavailable. pool-saturated (the pool cannot hold all the job's tasks; 'pool', 'held', 'capacity'; Retry-After from the pool's drain rate) and shutting-down (SIGTERM received: submit elsewhere) refuse the job whole. With ?wait or Prefer: wait also too-many-waiters ('limit'): the waiter limit is reached, and the job is refused before it is accepted",
            headers = @Header(name = ApiDocumentation.RETRY_AFTER, ref = ApiDocumentation.RETRY_AFTER),
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    public CompletionStage<RestResponse<JobView>> submit(JobRequest request,
                                                         @Parameter(description = "wait up to this long for the job to end: 250ms, 10s, 1m, 2h or a number of seconds (capped at threadlab.jobs.max-wait, 60 s)",
                                                                 schema = @Schema(type = SchemaType.STRING), example = "10s")
                                                         @QueryParam("wait") String wait,
                                                         @Parameter(name = "Prefer", in = ParameterIn.HEADER,
                                                                 description = "RFC 7240; wait=N waits up to N seconds (capped) like ?wait, and the answer says Preference-Applied. Used only without ?wait; a preference that cannot be used is ignored",
                                                                 schema = @Schema(type = SchemaType.STRING), example = "wait=10")
                                                         @HeaderParam("Prefer") List<String> prefer) {
        if (request == null) {
            throw new InvalidInputException("body", null, "a JSON object such as {\"workload\":\"cpu\"}");
        }
        Duration waitFor = Duration.ZERO;
        String applied = null;
        if (wait != null) {
            waitFor = Durations.parse("wait", wait, Duration.ZERO, maxWait); // a query parameter is strict
        } else {
            OptionalLong preferred = Preferences.waitSeconds(prefer); // a preference that cannot be used is ignored
            if (preferred.isPresent()) {
                waitFor = preferred.getAsLong() >= maxWait.toSeconds() ? maxWait : Duration.ofSeconds(preferred.getAsLong());
                applied = "wait=" + waitFor.toSeconds();
            }
        }
        String preferenceApplied = applied;
        if (waitFor.isZero() && preferenceApplied == null) {
            Job job = engine.submit(request);
            return CompletableFuture.completedFuture(accepted(job.id(), job.acceptedView()));
        }
        AsyncWait.Slot slot = waiting.reserve(); // at the waiter limit, refused before the job is accepted
        Job job;
        try {
            job = engine.submit(request);
        } catch (RuntimeException refused) {
            slot.release();
            throw refused;
        }
        return waiting.await(slot, job.completion(), waitFor, ended -> {
            RestResponse.ResponseBuilder<JobView> answer = ended
                    ? RestResponse.ResponseBuilder.ok(job.view())
                    : RestResponse.ResponseBuilder.accepted(job.view()).header(HttpHeaders.LOCATION, "/jobs/" + job.id());
            if (preferenceApplied != null) {
                answer.header("Preference-Applied", preferenceApplied); // RFC 7240: say which preference was honoured
            }
            return answer.build();
        });
    }

    @GET
    @Operation(operationId = "listJobs", summary = "List jobs, newest first")
    @APIResponse(responseCode = "200", description = "The jobs that match, newest first",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = JobView.class)))
    @APIResponse(responseCode = "400", description = "Bad Request (invalid-field): a state or limit that is not allowed",
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.STORE_UNAVAILABLE)
    @Blocking // with a shared store, the list reads the cluster-wide index
    public List<JobView> list(@Parameter(description = "only jobs in this state (any case)",
                                      schema = @Schema(implementation = JobState.class)) @QueryParam("state") String state,
                              @Parameter(description = "only jobs on this pool") @QueryParam("pool") String pool,
                              @Parameter(description = "only jobs of this workload") @QueryParam("workload") String workload,
                              @Parameter(description = "at most this many jobs (threadlab.limits.list-limit, default 1000)",
                                      schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000", defaultValue = "50"))
                              @QueryParam("limit") String limit) {
        JobFilter filter = new JobFilter(state == null ? null : parseState(state), pool, workload);
        return cluster.list(filter, parseLimit(limit));
    }

    private static JobState parseState(String state) {
        try {
            return JobState.valueOf(state.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("state", state, "one of " + Arrays.toString(JobState.values()));
        }
    }

    private int parseLimit(String limit) {
        if (limit == null) {
            return Math.min(50, maxListLimit);
        }
        try {
            int value = Integer.parseInt(limit.trim());
            if (value >= 1 && value <= maxListLimit) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException("limit", limit, "a whole number from 1 to " + maxListLimit);
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getJob", summary = "Read a job")
    @APIResponse(responseCode = "200", description = "The whole job",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "404", ref = ApiDocumentation.JOB_NOT_FOUND)
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.STORE_UNAVAILABLE)
    public CompletionStage<JobView> get(@PathParam("id") String id) {
        return cluster.view(id);
    }

    @GET
    @Path("/{id}/join")
    @Operation(operationId = "joinJob", summary = "Wait for a job to end, like Thread.join(timeout)",
            description = "200 with the job when it is terminal; 202 with the current job and Retry-After if the timeout (capped) passed first")
    @APIResponse(responseCode = "200", description = "The job has ended (SUCCEEDED, FAILED, CANCELLED or TIMED_OUT)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "202", description = "The timeout passed first: the job as it is now; join again after Retry-After",
            headers = @Header(name = ApiDocumentation.RETRY_AFTER, ref = ApiDocumentation.RETRY_AFTER),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "400", description = "Bad Request (invalid-field): the timeout is no duration",
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    @APIResponse(responseCode = "404", ref = ApiDocumentation.JOB_NOT_FOUND)
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.WAITERS_OR_STORE)
    public CompletionStage<Response> join(@PathParam("id") String id,
                                          @Parameter(description = "how long to wait: 250ms, 10s, 1m, 2h or a number of seconds; default 30s, capped at threadlab.jobs.max-wait (60 s)",
                                                  schema = @Schema(type = SchemaType.STRING), example = "10s")
                                          @QueryParam("timeout") String timeout) {
        CompletionStage<TrackedJob> found = cluster.watch(id); // an unknown job is a 404 before a bad timeout is a 400
        Duration waitFor = Durations.parse("timeout", timeout, DEFAULT_JOIN, maxWait);
        return AsyncWait.then(found, job -> waiting.join(job.completion(), waitFor, job::view, 1));
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "cancelJob", summary = "Cancel a job", description = "queued tasks are dropped, running tasks stop at their next check; 409 if already ended")
    @APIResponse(responseCode = "202", description = "Cancelled: the job, CANCELLED with cancelReason client; tasks still running stop at their next check",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "404", ref = ApiDocumentation.JOB_NOT_FOUND)
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "409", description = "Conflict (job-terminal): the job has ended already; 'state' says how",
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.STORE_UNAVAILABLE)
    public CompletionStage<Response> cancel(@PathParam("id") String id) {
        return cluster.cancel(id).thenApply(view -> Response.accepted(view).build());
    }

    /** Body of {@code POST /jobs/wait}. */
    @Schema(description = "Jobs to wait for, like Python's concurrent.futures.wait")
    public record WaitRequest(
            @Schema(required = true, minItems = 1, maxItems = 1000, description = "1 to threadlab.limits.wait-ids (default 1000) job ids; repeated ids count once")
            List<String> ids,
            @Schema(enumeration = {"ALL", "ANY"}, defaultValue = "ALL", description = "ALL returns when all are done, ANY when the first is (any case)")
            String mode,
            @Schema(defaultValue = "30s", description = "how long to wait: 250ms, 10s, 1m, 2h or a number of seconds; capped at threadlab.jobs.max-wait (60 s)",
                    examples = "10s")
            String timeout) {
    }

    /** Answer of {@code POST /jobs/wait}, like Python's {@code concurrent.futures.wait}. */
    public record WaitResult(List<JobView> done, List<JobView> notDone) {
    }

    @POST
    @Path("/wait")
    @Operation(operationId = "waitForJobs", summary = "Wait for several jobs, like concurrent.futures.wait",
            description = "mode ALL (default) returns when all are done, ANY when the first is; both return at the timeout")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = WaitRequest.class),
            examples = @ExampleObject(name = "any", summary = "the first of two jobs to end, or 10 s",
                    value = "{\"ids\":[\"k3f9-9xq2m7d0a1b2c3d4\",\"k3f9-m2c8v1q0w9e7r6t5\"],\"mode\":\"ANY\",\"timeout\":\"10s\"}")))
    @APIResponse(responseCode = "200", description = "The jobs split into done and not done, when the mode was met or the timeout passed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WaitResult.class)))
    @APIResponse(responseCode = "400", description = "Bad Request: invalid-field (no ids or too many, a null id, a mode other than ALL or ANY, a timeout that is no duration, an unknown field) or malformed-json",
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    @APIResponse(responseCode = "404", ref = ApiDocumentation.JOB_NOT_FOUND)
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "413", ref = ApiDocumentation.BODY_TOO_LARGE)
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "415", ref = ApiDocumentation.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.WAITERS_OR_STORE)
    public CompletionStage<WaitResult> waitFor(WaitRequest request) {
        if (request == null || request.ids() == null || request.ids().isEmpty()) {
            throw new InvalidInputException("ids", null, "a non-empty list of 1 to " + maxWaitIds + " job ids");
        }
        if (request.ids().size() > maxWaitIds) {
            throw new InvalidInputException("ids", request.ids().size() + " ids", "1 to " + maxWaitIds + " job ids");
        }
        String mode = request.mode() == null ? "ALL" : request.mode().toUpperCase(Locale.ROOT);
        if (!mode.equals("ALL") && !mode.equals("ANY")) {
            throw new InvalidInputException("mode", request.mode(), "ALL or ANY");
        }
        Duration waitFor = Durations.parse("timeout", request.timeout(), DEFAULT_JOIN, maxWait);
        Set<String> ids = new LinkedHashSet<>();
        for (String id : request.ids()) {
            if (id == null) {
                throw new InvalidInputException("ids", null, "job ids, not null");
            }
            ids.add(id);
        }
        boolean all = mode.equals("ALL");
        return AsyncWait.then(cluster.watchAll(List.copyOf(ids)), jobs -> {
            List<Awaitable> ends = jobs.stream().map(TrackedJob::completion).toList();
            return waiting.await(all ? Awaitable.all(ends) : Awaitable.any(ends), waitFor, ignored -> {
                List<JobView> done = new ArrayList<>();
                List<JobView> notDone = new ArrayList<>();
                for (TrackedJob job : jobs) {
                    JobView view = job.view();
                    (view.state().terminal() ? done : notDone).add(view);
                }
                return new WaitResult(done, notDone);
            });
        });
    }

    /**
     * 202 with a relative {@code Location}, as RFC 9110 allows: right behind any proxy, with no per-request URI
     * building. The typed {@link RestResponse} lets Quarkus REST choose the JSON writer at build time.
     */
    private static RestResponse<JobView> accepted(String id, JobView view) {
        return RestResponse.ResponseBuilder.accepted(view).header(HttpHeaders.LOCATION, "/jobs/" + id).build();
    }
}
