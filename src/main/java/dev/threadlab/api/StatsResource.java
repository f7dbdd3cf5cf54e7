package dev.threadlab.api;

import dev.threadlab.cluster.Cluster;
import dev.threadlab.cluster.StoreHealth;
import dev.threadlab.cluster.StoreUnavailableException;
import dev.threadlab.job.JobAccounts;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.Waiters;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /stats}: the instance's job accounting (submitted = finished + in flight, per pool and in total), its store,
 * and with a shared store the cluster's figures.
 */
@Path("/stats")
@Produces(MediaType.APPLICATION_JSON)
@NonBlocking
@Tag(name = ApiDocumentation.STATS)
public class StatsResource {

    private final JobEngine engine;
    private final Waiters waiters;
    private final Cluster cluster;

    public StatsResource(JobEngine engine, Waiters waiters, Cluster cluster) {
        this.engine = engine;
        this.waiters = waiters;
        this.cluster = cluster;
    }

    @GET
    @Operation(operationId = "getStats", summary = "Job accounting per pool and in total, retained jobs, waiting joins; with a shared store, the cluster's",
            description = "'balanced': every pool has submitted == finished + inFlight and no duplicate ends; 'stalledJobs' counts jobs whose tasks all ended but which never ended themselves; after a drain, inFlight and unfinishedHeld are both 0. 'store' says which store this instance uses and whether it answers; with threadlab.store=redis, 'cluster' has a row per instance (its accounts at its last heartbeat, alive or not, jobs of it recorded lost by others) and the totals")
    @APIResponse(responseCode = "200", description = "The instance's figures",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiDocumentation.StatsDocument.class)))
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    @Blocking // counts unfinished and stalled jobs by a scan: off the event loop
    public Map<String, Object> stats() {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("instance", engine.instance());
        stats.put("shuttingDown", engine.shuttingDown());
        Map<String, JobAccounts.Counts> accounts = engine.accounts().snapshot();
        stats.put("jobs", accounts.get("total"));
        stats.put("balanced", accounts.values().stream().allMatch(JobAccounts.Counts::balanced));
        Map<String, JobAccounts.Counts> byPool = new LinkedHashMap<>(accounts);
        byPool.remove("total");
        stats.put("byPool", byPool);
        stats.put("unfinishedHeld", engine.unfinishedHeld());
        stats.put("stalledJobs", engine.stalled());
        stats.put("jobsKnown", engine.known());
        stats.put("finishedRetained", engine.retainedFinished());
        stats.put("joinWaiters", waiters.waiting());
        stats.put("joinWaitersLimit", waiters.limit());
        StoreHealth health = cluster.health();
        Map<String, Object> store = new LinkedHashMap<>();
        store.put("kind", health.store());
        store.put("up", health.up());
        store.put("errors", health.errors());
        stats.put("store", store);
        if (cluster.shared()) {
            store.put("member", cluster.member());
            try {
                stats.put("cluster", cluster.figures());
            } catch (StoreUnavailableException e) {
                stats.put("cluster", Map.of("unavailable", e.getMessage())); // this instance's own figures still hold
            }
        }
        return stats;
    }
}
