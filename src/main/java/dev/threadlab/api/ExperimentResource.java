package dev.threadlab.api;

import dev.threadlab.config.ThreadlabConfig;
import dev.threadlab.experiment.Experiment;
import dev.threadlab.experiment.ExperimentCharts;
import dev.threadlab.experiment.ExperimentService;
import dev.threadlab.input.Durations;
import dev.threadlab.input.InvalidInputException;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** {@code /experiments}: scaling experiments over pools and task counts, as a table, CSV or SVG chart. */
@Path("/experiments")
@Produces(MediaType.APPLICATION_JSON)
@NonBlocking
public class ExperimentResource {

    private static final Duration DEFAULT_JOIN = Duration.ofSeconds(30);

    private final ExperimentService experiments;
    private final AsyncWait waiting;
    private final Duration maxWait;

    public ExperimentResource(ExperimentService experiments, AsyncWait waiting, ThreadlabConfig config) {
        this.experiments = experiments;
        this.waiting = waiting;
        this.maxWait = config.jobs().maxWait();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Run a scaling experiment",
            description = "{\"workload\":\"cpu\",\"params\":{...},\"pools\":[\"cpu\",\"gil\"],\"tasks\":[1,2,4],\"repeats\":3} or {\"preset\":\"cpu-bound-gil\"}; 202 with Location")
    public Response submit(ExperimentService.Request request) {
        if (request == null) {
            throw new InvalidInputException("body", null, "a JSON object such as {\"preset\":\"cpu-bound-gil\"}");
        }
        Experiment experiment = experiments.submit(request);
        return Response.accepted(experiment.view()).header(HttpHeaders.LOCATION, "/experiments/" + experiment.id()).build();
    }

    @GET
    @Path("/presets")
    @Operation(summary = "Named experiments that reproduce the classic lessons")
    public List<Map<String, Object>> presets() {
        return experiments.presets();
    }

    @GET
    @Path("/{id}")
    @Produces({MediaType.APPLICATION_JSON, "text/csv"})
    @Operation(summary = "State, progress and rows (medians per pool and task count); ?format=csv for CSV")
    public Response get(@PathParam("id") String id, @QueryParam("format") String format) {
        Experiment.View view = experiments.get(id).view();
        if (format == null || format.equalsIgnoreCase("json")) {
            return Response.ok(view, MediaType.APPLICATION_JSON).build();
        }
        if (format.equalsIgnoreCase("csv")) {
            return Response.ok(ExperimentCharts.csv(view), "text/csv").build();
        }
        throw new InvalidInputException("format", format, "json or csv");
    }

    @GET
    @Path("/{id}/chart.svg")
    @Produces("image/svg+xml")
    @Operation(summary = "SVG line chart; ?metric=speedup|throughput|latency|chunk_latency (default fits the workload)")
    public Response chart(@PathParam("id") String id, @QueryParam("metric") String metric) {
        Experiment.View view = experiments.get(id).view();
        ExperimentCharts.Metric chosen;
        if (metric == null) {
            chosen = ExperimentCharts.defaultMetric(view.spec());
        } else {
            try {
                chosen = ExperimentCharts.Metric.valueOf(metric.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("metric", metric, "speedup, throughput, latency or chunk_latency");
            }
        }
        return Response.ok(ExperimentCharts.svg(view, chosen), "image/svg+xml").build();
    }

    @GET
    @Path("/{id}/join")
    @Operation(summary = "Wait for an experiment to end: 200 when done, 202 with Retry-After at the timeout")
    public CompletionStage<Response> join(@PathParam("id") String id, @QueryParam("timeout") String timeout) {
        Experiment experiment = experiments.get(id);
        Duration waitFor = Durations.parse("timeout", timeout, DEFAULT_JOIN, maxWait);
        return waiting.join(experiment.completion(), waitFor, experiment::view, 5);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Cancel an experiment: it ends CANCELLED at once, and its running jobs are cancelled too")
    public Response cancel(@PathParam("id") String id) {
        return Response.accepted(experiments.cancel(id).view()).build();
    }
}
