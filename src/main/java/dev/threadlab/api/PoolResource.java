package dev.threadlab.api;

import dev.threadlab.admin.AdminToken;
import dev.threadlab.input.InvalidInputException;
import dev.threadlab.job.JobAccounts;
import dev.threadlab.job.JobEngine;
import dev.threadlab.pool.Pool;
import dev.threadlab.pool.PoolKind;
import dev.threadlab.pool.PoolRegistry;
import dev.threadlab.pool.PoolSettings;
import dev.threadlab.pool.PoolStats;
import dev.threadlab.pool.PoolUpdate;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /pools}: configuration and live figures of every pool, and live changes to them. */
@Path("/pools")
@Produces(MediaType.APPLICATION_JSON)
@NonBlocking
public class PoolResource {

    private final PoolRegistry pools;
    private final JobAccounts accounts;
    private final AdminToken admin;

    public PoolResource(PoolRegistry pools, JobEngine engine, AdminToken admin) {
        this.pools = pools;
        this.accounts = engine.accounts();
        this.admin = admin;
    }

    @GET
    @Operation(summary = "All pools with their settings and live figures")
    public List<Map<String, Object>> list() {
        return pools.all().stream().map(this::view).toList();
    }

    @GET
    @Path("/{name}")
    @Operation(summary = "One pool with its settings and live figures")
    public Map<String, Object> get(@PathParam("name") String name) {
        return view(find(name));
    }

    private Pool find(String name) {
        return pools.find(name).orElseThrow(() -> Problem.notFound("pool", "no pool named '" + name + "'; pools: " + pools.names()));
    }

    @PATCH
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change threads, maxConcurrency, queueCapacity or switchInterval live",
            description = "An admin operation: needs 'Authorization: Bearer <token>' with the token configured as threadlab.admin.token; without a configured token it is disabled (403)")
    @Blocking // resizing starts or stops threads: not on an event loop
    public Map<String, Object> update(@PathParam("name") String name, PoolUpdate update,
                                      @HeaderParam("Authorization") String authorization) {
        admin.check(authorization);
        Pool pool = find(name);
        if (update == null) {
            throw new InvalidInputException("body", null, "a JSON object such as {\"threads\":4}");
        }
        update.applyTo(pool);
        return view(pool);
    }

    private Map<String, Object> view(Pool pool) {
        PoolSettings settings = pool.settings();
        PoolStats stats = pool.stats();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", pool.name());
        view.put("kind", pool.kind().id());
        if (pool.kind() == PoolKind.VIRTUAL) {
            view.put("maxConcurrency", settings.concurrency());
        } else {
            view.put("threads", settings.concurrency());
        }
        view.put("queueCapacity", settings.queueCapacity());
        view.putAll(pool.model().describe());
        Map<String, Object> live = new LinkedHashMap<>();
        live.put("threads", stats.threads());
        live.put("activeTasks", stats.activeTasks());
        live.put("queuedTasks", stats.queuedTasks());
        live.put("completedTasks", stats.completedTasks());
        live.put("rejectedJobs", stats.rejectedJobs());
        view.put("live", live);
        view.put("jobs", accounts.counts(pool.name()));
        return view;
    }
}
