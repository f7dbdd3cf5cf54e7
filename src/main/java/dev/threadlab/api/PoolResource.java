package dev.threadlab.api;

import dev.threadlab.admin.AdminToken;
import dev.threadlab.cluster.Cluster;
import dev.threadlab.cluster.StoreUnavailableException;
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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /pools}: configuration and live figures of every pool of this instance (the views name it), and live
 * changes to them; with a shared store a change applies to every instance.
 */
@Path("/pools")
@Produces(MediaType.APPLICATION_JSON)
@NonBlocking
@Tag(name = ApiDocumentation.POOLS)
public class PoolResource {

    private final PoolRegistry pools;
    private final JobAccounts accounts;
    private final AdminToken admin;
    private final Cluster cluster;

    public PoolResource(PoolRegistry pools, JobEngine engine, AdminToken admin, Cluster cluster) {
        this.pools = pools;
        this.accounts = engine.accounts();
        this.admin = admin;
        this.cluster = cluster;
    }

    @GET
    @Operation(operationId = "listPools", summary = "All pools with their settings and live figures")
    @APIResponse(responseCode = "200", description = "Every pool",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = ApiDocumentation.PoolDocument.class)))
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    public List<Map<String, Object>> list() {
        return pools.all().stream().map(this::view).toList();
    }

    @GET
    @Path("/{name}")
    @Operation(operationId = "getPool", summary = "One pool with its settings and live figures")
    @APIResponse(responseCode = "200", description = "The pool",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiDocumentation.PoolDocument.class)))
    @APIResponse(responseCode = "404", description = "Not Found (pool-not-found): no pool of that name; the detail lists the pools",
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    public Map<String, Object> get(@PathParam("name") String name) {
        return view(find(name));
    }

    private Pool find(String name) {
        return pools.find(name).orElseThrow(() -> Problem.notFound("pool", "no pool named '" + name + "'; pools: " + pools.names()));
    }

    @PATCH
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updatePool", summary = "Change threads, maxConcurrency, queueCapacity or switchInterval live",
            description = "An admin operation: needs 'Authorization: Bearer <token>' with the token configured as threadlab.admin.token; without a configured token it is disabled (403)")
    @SecurityRequirement(name = ApiDocumentation.ADMIN_TOKEN)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ApiDocumentation.PoolUpdateDocument.class),
            examples = {
                    @ExampleObject(name = "threads", summary = "4 threads (platform and gil pools)", value = "{\"threads\":4}"),
                    @ExampleObject(name = "switchInterval", summary = "a 1 ms GIL switch interval (gil pools)", value = "{\"switchInterval\":\"1ms\"}"),
            }))
    @APIResponse(responseCode = "200", description = "The pool after the change; with threadlab.store=redis also each instance's settings and the instances that did not confirm",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiDocumentation.PoolDocument.class)))
    @APIResponse(responseCode = "400", description = "Bad Request: invalid-field (a value out of range, a field this pool's kind does not have, no field at all, an unknown field) or malformed-json",
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    @APIResponse(responseCode = "401", description = "Unauthorized (unauthorized): the Authorization header does not carry the configured admin token",
            headers = @Header(name = "WWW-Authenticate", required = true, description = "Bearer realm=\"threadlab\"",
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    @APIResponse(responseCode = "403", description = "Forbidden (admin-disabled): no admin token is configured, so admin operations are disabled whatever is sent; the detail says how to enable them",
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    @APIResponse(responseCode = "404", description = "Not Found (pool-not-found): no pool of that name (checked after the token)",
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "413", ref = ApiDocumentation.BODY_TOO_LARGE)
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "415", ref = ApiDocumentation.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.STORE_UNAVAILABLE)
    @Blocking // resizing starts or stops threads: not on an event loop
    public Map<String, Object> update(@PathParam("name") String name, PoolUpdate update,
                                      // documented as the adminToken security scheme, not as a parameter
                                      @Parameter(hidden = true) @HeaderParam("Authorization") String authorization) {
        admin.check(authorization);
        Pool pool = find(name);
        if (update == null) {
            throw new InvalidInputException("body", null, "a JSON object such as {\"threads\":4}");
        }
        update.applyTo(pool);
        Map<String, Object> view = view(pool);
        try {
            cluster.changed(pool, update).ifPresent(change -> {
                view.put("instances", change.instances());
                view.put("unconfirmed", change.unconfirmed());
            });
        } catch (StoreUnavailableException e) {
            throw new StoreUnavailableException("the change applies to this instance only; send it again to reach the others: "
                    + e.getMessage(), e);
        }
        return view;
    }

    private Map<String, Object> view(Pool pool) {
        PoolSettings settings = pool.settings();
        PoolStats stats = pool.stats();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", pool.name());
        view.put("instance", cluster.instance());
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
