package dev.threadlab.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.threadlab.admin.AdminRefusedException;
import dev.threadlab.cluster.StoreUnavailableException;
import dev.threadlab.experiment.ExperimentEndedException;
import dev.threadlab.experiment.ExperimentNotFoundException;
import dev.threadlab.experiment.ExperimentsBusyException;
import dev.threadlab.input.InvalidInputException;
import dev.threadlab.job.JobEndedException;
import dev.threadlab.job.JobNotFoundException;
import dev.threadlab.job.ShuttingDownException;
import dev.threadlab.job.TooManyWaitersException;
import dev.threadlab.live.TooManyStreamsException;
import dev.threadlab.pool.PoolSaturatedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * Turns every error into an RFC 9457 {@code application/problem+json} response: the engine's exceptions, decoding
 * errors, and the framework's own refusals. This is the one place that knows their status codes and headers.
 * Nothing internal (class names, stack traces) reaches the client; unexpected errors are logged here and answered
 * with a generic 500. Stateless.
 */
public final class ProblemResponses {

    public static final String PROBLEM_JSON = "application/problem+json";
    /** How soon a client may retry a join or wait refused at the waiter limit. */
    private static final long WAITERS_RETRY_AFTER_SECONDS = 1;
    private static final Logger LOG = Logger.getLogger(ProblemResponses.class);

    /** The JSON members of a problem, in RFC 9457's order, then its extensions. */
    static Map<String, Object> body(Problem problem) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.type());
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.detail());
        body.putAll(problem.extensions());
        return body;
    }

    public static Response toResponse(Problem problem) {
        Response.ResponseBuilder response = Response.status(problem.status()).type(PROBLEM_JSON).entity(body(problem));
        problem.headers().forEach(response::header);
        return response.build();
    }

    @ServerExceptionMapper
    public Response problem(Problem problem) {
        return toResponse(problem);
    }

    /** A 400 about one field of the request: names the field, the value sent and what is allowed. */
    static Problem invalid(InvalidInputException e) {
        return Problem.of(400, "invalid-field", "Invalid request field", e.getMessage())
                .with("field", e.field()).with("value", e.value()).with("allowed", e.allowed());
    }

    @ServerExceptionMapper
    public Response invalidInput(InvalidInputException e) {
        return toResponse(invalid(e));
    }

    @ServerExceptionMapper
    public Response poolSaturated(PoolSaturatedException e) {
        return toResponse(Problem.of(503, "pool-saturated", "Pool saturated", e.getMessage())
                .with("pool", e.pool()).with("held", e.held()).with("capacity", e.capacity())
                .retryAfter(e.retryAfterSeconds()));
    }

    @ServerExceptionMapper
    public Response storeUnavailable(StoreUnavailableException e) {
        return toResponse(storeUnavailableProblem(e));
    }

    private static Problem storeUnavailableProblem(StoreUnavailableException e) {
        return Problem.of(503, "store-unavailable", "Store unavailable",
                "the shared store (Redis) does not answer, and this needs it; this instance's own jobs are still served ("
                        + e.getMessage() + ")")
                .retryAfter(StoreUnavailableException.RETRY_AFTER_SECONDS);
    }

    /**
     * The problem for a failure on the routes below Quarkus REST (event streams), like the mappers here decide it;
     * anything unexpected is logged and answered with a generic 500.
     */
    static Problem of(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof JobNotFoundException notFound) {
            return notFound(notFound);
        }
        if (cause instanceof StoreUnavailableException unavailable) {
            return storeUnavailableProblem(unavailable);
        }
        LOG.error("unexpected error", cause);
        return Problem.of(500, "internal-error", "Internal error", "the server could not handle this request");
    }

    @ServerExceptionMapper
    public Response shuttingDown(ShuttingDownException e) {
        return toResponse(Problem.of(503, "shutting-down", "Shutting down", e.getMessage())
                .retryAfter(ShuttingDownException.RETRY_AFTER_SECONDS));
    }

    @ServerExceptionMapper
    public Response jobNotFound(JobNotFoundException e) {
        return toResponse(notFound(e));
    }

    static Problem notFound(JobNotFoundException e) {
        Problem problem = Problem.notFound("job", e.getMessage());
        if (e.ownerInstance().isPresent()) {
            problem = problem.with("instance", e.instance()).with("ownerInstance", e.ownerInstance().get());
        }
        return problem;
    }

    @ServerExceptionMapper
    public Response tooManyStreams(TooManyStreamsException e) {
        return toResponse(tooMany(e));
    }

    static Problem tooMany(TooManyStreamsException e) {
        return Problem.of(503, "too-many-streams", "Too many event streams", e.getMessage())
                .with("limit", e.limit()).retryAfter(TooManyStreamsException.RETRY_AFTER_SECONDS);
    }

    /**
     * Writes a problem straight to a Vert.x response, for the routes below Quarkus REST (size limits, event
     * streams); the connection is closed after it, since the request may not have been read.
     */
    static void send(RoutingContext ctx, Problem problem) {
        HttpServerResponse response = ctx.response().setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, PROBLEM_JSON).putHeader(HttpHeaders.CONNECTION, "close");
        problem.headers().forEach(response::putHeader);
        response.end(new JsonObject(body(problem)).encode());
    }

    @ServerExceptionMapper
    public Response jobEnded(JobEndedException e) {
        return toResponse(Problem.of(409, "job-terminal", "Job already ended", e.getMessage()).with("state", e.state()));
    }

    @ServerExceptionMapper
    public Response tooManyWaiters(TooManyWaitersException e) {
        return toResponse(Problem.of(503, "too-many-waiters", "Too many waiting requests", e.getMessage())
                .with("limit", e.limit()).retryAfter(WAITERS_RETRY_AFTER_SECONDS));
    }

    @ServerExceptionMapper
    public Response experimentNotFound(ExperimentNotFoundException e) {
        return toResponse(Problem.notFound("experiment", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response experimentEnded(ExperimentEndedException e) {
        return toResponse(Problem.of(409, "experiment-terminal", "Experiment already ended", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response experimentsBusy(ExperimentsBusyException e) {
        return toResponse(Problem.of(503, "experiments-busy", "Too many experiments", e.getMessage())
                .retryAfter(ExperimentsBusyException.RETRY_AFTER_SECONDS));
    }

    /** 403 while admin operations are disabled (no token could help), 401 for a missing or wrong token. */
    @ServerExceptionMapper
    public Response adminRefused(AdminRefusedException e) {
        return toResponse(e.disabled()
                ? Problem.of(403, "admin-disabled", "Admin operations disabled", e.getMessage())
                : Problem.of(401, "unauthorized", "Unauthorized", e.getMessage())
                        .withHeader("WWW-Authenticate", "Bearer realm=\"threadlab\""));
    }

    /** Unknown fields, wrong types and syntax errors, each named precisely. */
    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return toResponse(describeJson(e));
    }

    /** Declared separately: Quarkus ships a mapper for this type that would otherwise win. */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return toResponse(describeJson(e));
    }

    /** A body that could not be read, e.g. a chunked body over the size limit. */
    @ServerExceptionMapper
    public Response unreadableBody(IOException e) {
        boolean tooLarge = e.getMessage() != null && e.getMessage().contains("too large");
        return toResponse(tooLarge
                ? Problem.of(413, "body-too-large", "Request body too large", "the request body is larger than the limit")
                : Problem.of(400, "unreadable-body", "Unreadable request body", "the request body could not be read"));
    }

    private static Problem describeJson(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            String known = unknown.getKnownPropertyIds() == null ? "" : unknown.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", "));
            String field = path(unknown);
            return Problem.of(400, "invalid-field", "Invalid request field",
                    "unknown field '" + field + "'; known fields: " + known).with("field", field);
        }
        if (e instanceof MismatchedInputException mismatch) {
            String field = path(mismatch);
            Object value = mismatch instanceof InvalidFormatException invalid ? invalid.getValue() : null;
            String expected = mismatch.getTargetType() == null ? "another type" : describe(mismatch.getTargetType());
            return Problem.of(400, "invalid-field", "Invalid request field",
                    "'" + field + "'" + (value == null ? "" : " = '" + value + "'") + " has the wrong type; expected "
                            + expected).with("field", field);
        }
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return Problem.of(400, "malformed-json", "Malformed JSON",
                "the request body is not valid JSON" + where + ": " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return toResponse(describeJson(json)); // the JSON reader wraps decoding errors
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("request failed", e);
            return toResponse(Problem.of(500, "internal-error", "Internal error",
                    "the server could not handle this request"));
        }
        return toResponse(framework(status));
    }

    /** The framework's own refusals (no route, wrong method, wrong media type), as problems. */
    static Problem framework(int status) {
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "Request refused" : known.getReasonPhrase();
        String slug = switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "body-too-large";
            case 415 -> "unsupported-media-type";
            default -> "bad-request";
        };
        String detail = switch (status) {
            case 404 -> "no such resource; the API is described at /q/openapi (a YAML document) and /q/swagger-ui";
            case 405 -> "this method is not allowed on this resource; see /q/swagger-ui";
            case 415 -> "send the body as application/json";
            case 413 -> "the request body is larger than the limit";
            default -> title;
        };
        return Problem.of(status, slug, title, detail);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        LOG.error("unexpected error", e);
        return toResponse(Problem.of(500, "internal-error", "Internal error", "the server could not handle this request"));
    }

    private static String path(JsonProcessingException e) {
        if (e instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
            return mismatch.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
        }
        return "body";
    }

    private static String describe(Class<?> type) {
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a JSON object";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a JSON array";
        }
        if (type == String.class) {
            return "a string";
        }
        return "a JSON object";
    }
}
