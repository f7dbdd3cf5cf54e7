package dev.threadlab.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.threadlab.problem.Problem;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.io.IOException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns every error into an RFC 9457 {@code application/problem+json} response. Nothing internal (class names,
 * stack traces) reaches the client; unexpected errors are logged here and answered with a generic 500.
 */
public final class ProblemResponses {

    public static final String PROBLEM_JSON = "application/problem+json";
    private static final Logger LOG = Logger.getLogger(ProblemResponses.class);

    public static Response toResponse(Problem problem) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.type());
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.detail());
        body.putAll(problem.extensions());
        Response.ResponseBuilder response = Response.status(problem.status()).type(PROBLEM_JSON).entity(body);
        problem.headers().forEach(response::header);
        return response.build();
    }

    @ServerExceptionMapper
    public Response problem(Problem problem) {
        return toResponse(problem);
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
    public Response constraintViolation(ConstraintViolationException e) {
        var violation = e.getConstraintViolations().iterator().next();
        String path = violation.getPropertyPath().toString();
        String field = path.substring(path.lastIndexOf('.') + 1);
        return toResponse(Problem.invalidField(field, violation.getInvalidValue(), violation.getMessage()));
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
            case 404 -> "no such resource; see /q/openapi for the API";
            case 405 -> "this method is not allowed on this resource; see /q/openapi";
            case 415 -> "send the body as application/json";
            case 413 -> "the request body is larger than the limit";
            default -> title;
        };
        return toResponse(Problem.of(status, slug, title, detail));
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
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a JSON array";
        }
        if (type == String.class) {
            return "a string";
        }
        return "a JSON object";
    }
}
