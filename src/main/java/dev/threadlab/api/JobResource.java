package dev.threadlab.api;

import dev.threadlab.config.ThreadlabConfig;
import dev.threadlab.input.Durations;
import dev.threadlab.input.InvalidInputException;
import dev.threadlab.job.Job;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.JobRequest;
import dev.threadlab.job.JobState;
import dev.threadlab.job.JobView;
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
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * {@code /jobs}: submit, read, join, cancel and wait for jobs. Only translates HTTP to the {@link JobEngine}.
 * Every method is non-blocking: waits are futures completed by the job itself, so a waiting request holds
 * no thread.
 */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@NonBlocking
public class JobResource {

    private static final Duration DEFAULT_JOIN = Duration.ofSeconds(30);

    private final JobEngine engine;
    private final AsyncWait waiting;
    private final Duration maxWait;
    private final int maxListLimit;
    private final int maxWaitIds;

    public JobResource(JobEngine engine, AsyncWait waiting, ThreadlabConfig config) {
        this.engine = engine;
        this.waiting = waiting;
        this.maxWait = config.jobs().maxWait();
        this.maxListLimit = config.limits().listLimit();
        this.maxWaitIds = config.limits().waitIds();
    }

    @POST
    @Operation(summary = "Submit a job",
            description = "202 with the job as accepted: id, workload, pool, tasks and state QUEUED (the whole job is at the Location); with ?wait=10s or 'Prefer: wait=10' the answer waits (capped) and is 200 with the finished job if it ended in time, else 202 with the job as it is then")
    public CompletionStage<RestResponse<JobView>> submit(JobRequest request,
                                                         @Parameter(description = "wait up to this long for the job to end, e.g. 250ms, 10s, 1m (capped)")
                                                         @QueryParam("wait") String wait,
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
    @Operation(summary = "List jobs, newest first")
    public List<JobView> list(@QueryParam("state") String state, @QueryParam("pool") String pool,
                              @QueryParam("workload") String workload, @QueryParam("limit") String limit) {
        Predicate<Job> filter = job -> true;
        if (state != null) {
            JobState wanted = parseState(state);
            filter = filter.and(job -> job.state() == wanted);
        }
        if (pool != null) {
            filter = filter.and(job -> job.pool().equals(pool));
        }
        if (workload != null) {
            filter = filter.and(job -> job.workload().equals(workload));
        }
        int max = parseLimit(limit);
        return engine.list(filter, max).stream().map(Job::view).toList();
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
    @Operation(summary = "Read a job")
    public JobView get(@PathParam("id") String id) {
        return engine.get(id).view();
    }

    @GET
    @Path("/{id}/join")
    @Operation(summary = "Wait for a job to end, like Thread.join(timeout)",
            description = "200 with the job when it is terminal; 202 with the current job and Retry-After if the timeout (capped) passed first")
    public CompletionStage<Response> join(@PathParam("id") String id,
                                          @Parameter(description = "e.g. 250ms, 10s, 1m; default 30s") @QueryParam("timeout") String timeout) {
        Job job = engine.get(id);
        Duration waitFor = Durations.parse("timeout", timeout, DEFAULT_JOIN, maxWait);
        return waiting.join(job.completion(), waitFor, job::view, 1);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Cancel a job", description = "queued tasks are dropped, running tasks stop at their next check; 409 if already ended")
    public Response cancel(@PathParam("id") String id) {
        Job job = engine.cancel(id);
        return Response.accepted(job.view()).build();
    }

    /** Body of {@code POST /jobs/wait}. */
    public record WaitRequest(List<String> ids, String mode, String timeout) {
    }

    /** Answer of {@code POST /jobs/wait}, like Python's {@code concurrent.futures.wait}. */
    public record WaitResult(List<JobView> done, List<JobView> notDone) {
    }

    @POST
    @Path("/wait")
    @Operation(summary = "Wait for several jobs, like concurrent.futures.wait",
            description = "mode ALL (default) returns when all are done, ANY when the first is; both return at the timeout")
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
        Map<String, Job> jobs = new LinkedHashMap<>();
        for (String id : request.ids()) {
            if (id == null) {
                throw new InvalidInputException("ids", null, "job ids, not null");
            }
            jobs.putIfAbsent(id, engine.get(id));
        }
        List<Job> distinct = new ArrayList<>(jobs.values());
        return waiting.await(JobEngine.whenDone(distinct, mode.equals("ALL")), waitFor, ignored -> {
            List<JobView> done = new ArrayList<>();
            List<JobView> notDone = new ArrayList<>();
            for (Job job : distinct) {
                JobView view = job.view();
                (view.done() ? done : notDone).add(view);
            }
            return new WaitResult(done, notDone);
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
