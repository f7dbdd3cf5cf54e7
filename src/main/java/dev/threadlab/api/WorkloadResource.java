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

import java.util.List;

/** {@code /workloads}: what each workload does, its parameters with their limits, and its default pool. */
@Path("/workloads")
@Produces(MediaType.APPLICATION_JSON)
@NonBlocking
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
    @Operation(summary = "Workloads, their parameters (type, default, min, max, unit) and default pools")
    public List<WorkloadView> list() {
        return views;
    }
}
