/**
 * The REST resources and their error mapping. The annotation below holds the parts of the OpenAPI document
 * (/q/openapi) that no single resource owns: SmallRye OpenAPI reads {@code @OpenAPIDefinition} only from a package
 * (or a JAX-RS Application class, which this service does not have), so it lives here.
 */
@OpenAPIDefinition(
        // title and description come from application.properties, the version from the build
        info = @Info(title = "threadlab", version = "see build"),
        tags = {
                @Tag(name = ApiDocumentation.JOBS, description = "Submit jobs (N tasks on a pool), read, join, cancel and wait for them"),
                @Tag(name = ApiDocumentation.POOLS, description = "Pools' settings and live figures; live changes (admin)"),
                @Tag(name = ApiDocumentation.EXPERIMENTS, description = "Scaling experiments over pools and task counts, as a table, CSV or SVG chart"),
                @Tag(name = ApiDocumentation.WORKLOADS, description = "What each workload does and its parameters"),
                @Tag(name = ApiDocumentation.STATS, description = "Job accounting of this instance and, with a shared store, of the cluster"),
        },
        // Every operation is open unless it says otherwise (only PATCH /pools/{name} does): an empty requirement
        // means "no credentials needed".
        securitySets = @SecurityRequirementsSet(),
        components = @Components(
                securitySchemes = @SecurityScheme(securitySchemeName = ApiDocumentation.ADMIN_TOKEN,
                        type = SecuritySchemeType.HTTP, scheme = "bearer",
                        description = "The admin token configured as threadlab.admin.token (env THREADLAB_ADMIN_TOKEN), "
                                + "sent as 'Authorization: Bearer <token>'. Without a configured token admin operations "
                                + "are disabled (403) whatever is sent."),
                headers = {
                        @Header(name = ApiDocumentation.RETRY_AFTER, required = true,
                                description = "Seconds to wait before trying again",
                                schema = @Schema(type = SchemaType.INTEGER, minimum = "1")),
                        @Header(name = ApiDocumentation.LOCATION, required = true,
                                description = "Where the accepted resource can be read (a relative URI)",
                                schema = @Schema(type = SchemaType.STRING, format = "uri-reference")),
                },
                responses = {
                        @APIResponse(name = ApiDocumentation.NOT_ACCEPTABLE, description = "Not Acceptable (not-acceptable): "
                                + "the Accept header names no media type this operation produces",
                                content = @Content(mediaType = ProblemResponses.PROBLEM_JSON,
                                        schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class))),
                        @APIResponse(name = ApiDocumentation.BODY_TOO_LARGE, description = "Payload Too Large "
                                + "(body-too-large): the request body is over 64 KiB (quarkus.http.limits.max-body-size); "
                                + "'limit' is the limit in bytes when the declared Content-Length is over it",
                                content = @Content(mediaType = ProblemResponses.PROBLEM_JSON,
                                        schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class))),
                        @APIResponse(name = ApiDocumentation.URI_TOO_LONG, description = "URI Too Long (uri-too-long): "
                                + "the request target is over threadlab.limits.uri-length characters ('limit')",
                                content = @Content(mediaType = ProblemResponses.PROBLEM_JSON,
                                        schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class))),
                        @APIResponse(name = ApiDocumentation.UNSUPPORTED_MEDIA_TYPE, description = "Unsupported Media Type "
                                + "(unsupported-media-type): the body is not sent as application/json",
                                content = @Content(mediaType = ProblemResponses.PROBLEM_JSON,
                                        schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class))),
                        @APIResponse(name = ApiDocumentation.JOB_NOT_FOUND, description = "Not Found (job-not-found): "
                                + "no such job: it never existed or was evicted (finished jobs are kept 15 min). With the "
                                + "memory store, for an id of another instance 'instance' and 'ownerInstance' say which "
                                + "one to ask; with threadlab.store=redis every instance answers for every job",
                                content = @Content(mediaType = ProblemResponses.PROBLEM_JSON,
                                        schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class))),
                        @APIResponse(name = ApiDocumentation.EXPERIMENT_NOT_FOUND, description = "Not Found "
                                + "(experiment-not-found): no such experiment here, or it was evicted",
                                content = @Content(mediaType = ProblemResponses.PROBLEM_JSON,
                                        schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class))),
                        @APIResponse(name = ApiDocumentation.TOO_MANY_WAITERS, description = "Service Unavailable "
                                + "(too-many-waiters): threadlab.jobs.max-waiters ('limit') join and wait requests are "
                                + "waiting already",
                                headers = @Header(name = ApiDocumentation.RETRY_AFTER, ref = ApiDocumentation.RETRY_AFTER),
                                content = @Content(mediaType = ProblemResponses.PROBLEM_JSON,
                                        schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class))),
                        @APIResponse(name = ApiDocumentation.STORE_UNAVAILABLE, description = "Service Unavailable "
                                + "(store-unavailable): only with threadlab.store=redis, for what needs the shared store "
                                + "(a job or experiment of another instance, the cluster-wide list) while Redis does not "
                                + "answer; this instance's own jobs are still served",
                                headers = @Header(name = ApiDocumentation.RETRY_AFTER, ref = ApiDocumentation.RETRY_AFTER),
                                content = @Content(mediaType = ProblemResponses.PROBLEM_JSON,
                                        schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class))),
                        @APIResponse(name = ApiDocumentation.WAITERS_OR_STORE, description = "Service Unavailable: "
                                + "too-many-waiters (threadlab.jobs.max-waiters, 'limit', join and wait requests are "
                                + "waiting already) or, only with threadlab.store=redis, store-unavailable (a job of "
                                + "another instance while Redis does not answer)",
                                headers = @Header(name = ApiDocumentation.RETRY_AFTER, ref = ApiDocumentation.RETRY_AFTER),
                                content = @Content(mediaType = ProblemResponses.PROBLEM_JSON,
                                        schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class))),
                        @APIResponse(name = ApiDocumentation.HEADERS_TOO_LARGE, description = "Request Header Fields Too "
                                + "Large (headers-too-large): the headers are over threadlab.limits.header-bytes ('limit')",
                                content = @Content(mediaType = ProblemResponses.PROBLEM_JSON,
                                        schema = @Schema(implementation = ApiDocumentation.ProblemDocument.class))),
                }))
package dev.threadlab.api;

import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
