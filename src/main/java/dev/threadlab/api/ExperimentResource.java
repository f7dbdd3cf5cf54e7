package dev.threadlab.api;

import dev.threadlab.cluster.Cluster;
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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** {@code /experiments}: scaling experiments over pools and task counts, as a table, CSV or SVG chart. */
@Path("/experiments")
@Produces(MediaType.APPLICATION_JSON)
@NonBlocking
@Tag(name = ApiDocumentation.EXPERIMENTS)
public class ExperimentResource {

    private static final Duration DEFAULT_JOIN = Duration.ofSeconds(30);

    private final ExperimentService experiments;
    private final Cluster cluster;
    private final AsyncWait waiting;
    private final Duration maxWait;

    public ExperimentResource(ExperimentService experiments, Cluster cluster, AsyncWait waiting, ThreadlabConfig config) {
        this.experiments = experiments;
        this.cluster = cluster;
        this.waiting = waiting;
        this.maxWait = config.jobs().maxWait();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "submitExperiment", summary = "Run a scaling experiment",
            description = "{\"workload\":\"cpu\",\"params\":{...},\"pools\":[\"cpu\",\"gil\"],\"tasks\":[1,2,4],\"repeats\":3} or {\"preset\":\"cpu-bound-gil\"}; 202 with Location. Experiments run one at a time; up to 10 wait in a queue")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ApiDocumentation.ExperimentRequestDocument.class),
            examples = {
                    @ExampleObject(name = "preset", summary = "a preset: CPU-bound work on cpu, gil and procs", value = "{\"preset\":\"cpu-bound-gil\"}"),
                    @ExampleObject(name = "custom", summary = "a small CPU-bound experiment on two pools",
                            value = "{\"workload\":\"cpu\",\"params\":{\"iterations\":1000000},\"pools\":[\"cpu\",\"gil\"],\"tasks\":[1,2],\"repeats\":1}"),
            }))
    @APIResponse(responseCode = "202", description = "Accepted and queued: the experiment (state QUEUED); follow the Location",
            headers = @Header(name = ApiDocumentation.LOCATION, ref = ApiDocumentation.LOCATION),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiDocumentation.ExperimentDocument.class)))
    @APIResponse(responseCode = "400", description = "Bad Request: invalid-field (an unknown preset, a preset with other fields, a field out of range, too many points, jobs or task runs, an unknown field) or malformed-json",
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "413", ref = ApiDocumentation.BODY_TOO_LARGE)
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "415", ref = ApiDocumentation.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    @APIResponse(responseCode = "503", description = "Service Unavailable (experiments-busy): 10 experiments are queued already",
            headers = @Header(name = ApiDocumentation.RETRY_AFTER, ref = ApiDocumentation.RETRY_AFTER),
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    public Response submit(ExperimentService.Request request) {
        if (request == null) {
            throw new InvalidInputException("body", null, "a JSON object such as {\"preset\":\"cpu-bound-gil\"}");
        }
        Experiment experiment = experiments.submit(request);
        return Response.accepted(experiment.view()).header(HttpHeaders.LOCATION, "/experiments/" + experiment.id()).build();
    }

    @GET
    @Path("/presets")
    @Operation(operationId = "listExperimentPresets", summary = "Named experiments that reproduce the classic lessons")
    @APIResponse(responseCode = "200", description = "Every preset, with the experiment it runs",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = ApiDocumentation.PresetDocument.class)))
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    public List<Map<String, Object>> presets() {
        return experiments.presets();
    }

    @GET
    @Path("/{id}")
    @Produces({MediaType.APPLICATION_JSON, "text/csv"})
    @Operation(operationId = "getExperiment", summary = "State, progress and rows (medians per pool and task count); ?format=csv for CSV")
    @APIResponse(responseCode = "200", description = "The experiment: JSON, or its rows as CSV with ?format=csv",
            content = {
                    @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiDocumentation.ExperimentDocument.class)),
                    @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING)),
            })
    @APIResponse(responseCode = "400", description = "Bad Request (invalid-field): a format other than json or csv",
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    @APIResponse(responseCode = "404", ref = ApiDocumentation.EXPERIMENT_NOT_FOUND)
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.STORE_UNAVAILABLE)
    public CompletionStage<Response> get(@PathParam("id") String id,
                                         @Parameter(description = "json (default) or csv (any case); it decides the answer's media type",
                                                 schema = @Schema(type = SchemaType.STRING, enumeration = {"json", "csv"}, defaultValue = "json"))
                                         @QueryParam("format") String format) {
        boolean csv;
        if (format == null || format.equalsIgnoreCase("json")) {
            csv = false;
        } else if (format.equalsIgnoreCase("csv")) {
            csv = true;
        } else {
            throw new InvalidInputException("format", format, "json or csv");
        }
        return cluster.experiment(id).thenApply(view -> csv
                ? Response.ok(ExperimentCharts.csv(view), "text/csv").build()
                : Response.ok(view, MediaType.APPLICATION_JSON).build());
    }

    @GET
    @Path("/{id}/chart.svg")
    @Produces("image/svg+xml")
    @Operation(operationId = "getExperimentChart", summary = "SVG line chart; ?metric=speedup|throughput|latency|chunk_latency (default fits the workload)")
    @APIResponse(responseCode = "200", description = "The chart",
            content = @Content(mediaType = "image/svg+xml", schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "400", description = "Bad Request (invalid-field): an unknown metric",
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    @APIResponse(responseCode = "404", ref = ApiDocumentation.EXPERIMENT_NOT_FOUND)
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.STORE_UNAVAILABLE)
    public CompletionStage<Response> chart(@PathParam("id") String id,
                          @Parameter(description = "what to plot (any case); default: what fits the workload",
                                  schema = @Schema(type = SchemaType.STRING, enumeration = {"speedup", "throughput", "latency", "chunk_latency"}))
                          @QueryParam("metric") String metric) {
        ExperimentCharts.Metric asked = null;
        if (metric != null) {
            try {
                asked = ExperimentCharts.Metric.valueOf(metric.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("metric", metric, "speedup, throughput, latency or chunk_latency");
            }
        }
        ExperimentCharts.Metric chosen = asked;
        return cluster.experiment(id).thenApply(view -> Response.ok(ExperimentCharts.svg(view,
                chosen == null ? ExperimentCharts.defaultMetric(view.spec()) : chosen), "image/svg+xml").build());
    }

    @GET
    @Path("/{id}/join")
    @Operation(operationId = "joinExperiment", summary = "Wait for an experiment to end: 200 when done, 202 with Retry-After at the timeout")
    @APIResponse(responseCode = "200", description = "The experiment has ended (SUCCEEDED, FAILED or CANCELLED)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiDocumentation.ExperimentDocument.class)))
    @APIResponse(responseCode = "202", description = "The timeout passed first: the experiment as it is now; join again after Retry-After",
            headers = @Header(name = ApiDocumentation.RETRY_AFTER, ref = ApiDocumentation.RETRY_AFTER),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiDocumentation.ExperimentDocument.class)))
    @APIResponse(responseCode = "400", description = "Bad Request (invalid-field): the timeout is no duration",
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    @APIResponse(responseCode = "404", ref = ApiDocumentation.EXPERIMENT_NOT_FOUND)
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.TOO_MANY_WAITERS)
    public CompletionStage<Response> join(@PathParam("id") String id,
                                          @Parameter(description = "how long to wait: 250ms, 10s, 1m, 2h or a number of seconds; default 30s, capped at threadlab.jobs.max-wait (60 s)",
                                                  schema = @Schema(type = SchemaType.STRING), example = "10s")
                                          @QueryParam("timeout") String timeout) {
        Experiment experiment = experiments.get(id);
        Duration waitFor = Durations.parse("timeout", timeout, DEFAULT_JOIN, maxWait);
        return waiting.join(experiment.completion(), waitFor, experiment::view, 5);
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "cancelExperiment", summary = "Cancel an experiment: it ends CANCELLED at once, and its running jobs are cancelled too")
    @APIResponse(responseCode = "202", description = "Cancelled: the experiment, CANCELLED",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiDocumentation.ExperimentDocument.class)))
    @APIResponse(responseCode = "404", ref = ApiDocumentation.EXPERIMENT_NOT_FOUND)
    @APIResponse(responseCode = "406", ref = ApiDocumentation.NOT_ACCEPTABLE)
    @APIResponse(responseCode = "409", description = "Conflict (experiment-terminal): the experiment has ended already",
            content = @Content(mediaType = ProblemResponses.PROBLEM_JSON, schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class)))
    @APIResponse(responseCode = "414", ref = ApiDocumentation.URI_TOO_LONG)
    @APIResponse(responseCode = "431", ref = ApiDocumentation.HEADERS_TOO_LARGE)
    public Response cancel(@PathParam("id") String id) {
        return Response.accepted(experiments.cancel(id).view()).build();
    }
}
