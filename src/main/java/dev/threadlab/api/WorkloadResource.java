package dev.threadlab.api;

import dev.threadlab.input.ParamSpec;
import dev.threadlab.job.JobEngine;
import dev.threadlab.workload.WorkloadCatalog;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** {@code /workloads}: what each workload does, its parameters with their limits, and its default pool. */
@Path("/workloads")
@Produces(MediaType.APPLICATION_JSON)
@NonBlocking
@Tag(name = ApiDocumentation.WORKLOADS)
public class WorkloadResource {

    /** One workload as clients see it. */
    public record WorkloadView(String name, String description, String defaultPool, List<ParamSpec> params) {
    }

    private final List<WorkloadView> views;

    public WorkloadResource(JobEngine engine) {
        this.views = engine.workloads().all().stream()
                .map(w -> new WorkloadView(w.name(), w.description(), w.defaultPool(), WorkloadCatalog.allParams(w)))
                .toList();
    }

    @GET
    @Operation(operationId = "listWorkloads", summary = "Workloads, their parameters (type, default, min, max, unit) and default pools")
    @APIResponse(responseCode = "200", description = "Every workload",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = WorkloadView.class)))
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    public List<WorkloadView> list() {
        return views;
    }
}
