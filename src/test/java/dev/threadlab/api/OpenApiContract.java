package dev.threadlab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Drives the API through the operations of its own OpenAPI document (/q/openapi?format=json) and checks every answer
 * against what the document says of that operation: the status is listed, the media type is listed for it, the
 * headers it marks required are sent, and a JSON body has no member its schema lacks (and every member it requires).
 * Remembers which statuses each operation answered, so a test can then require that every documented status was
 * seen. Requests are built from the document's method and path, so a wrong path in the document fails too.
 * Collects every mismatch and fails once, listing them all. Not thread-safe: one test drives it.
 */
final class OpenApiContract {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One operation of the document. */
    record Operation(String id, String method, String path, JsonNode node) {
    }

    private final JsonNode document;
    private final Map<String, Operation> operations = new LinkedHashMap<>();
    private final Map<String, Set<String>> observed = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();

    OpenApiContract() {
        String text = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().asString();
        try {
            document = JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("/q/openapi?format=json is not JSON", e);
        }
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> method = methods.next();
                String id = method.getValue().path("operationId").asText(null);
                if (id == null) {
                    failures.add(method.getKey().toUpperCase() + " " + path.getKey() + " has no operationId");
                    continue;
                }
                if (operations.put(id, new Operation(id, method.getKey().toUpperCase(), path.getKey(), method.getValue())) != null) {
                    failures.add("operationId " + id + " is used twice");
                }
            }
        }
    }

    JsonNode document() {
        return document;
    }

    Map<String, Operation> operations() {
        return operations;
    }

    Operation operation(String id) {
        Operation operation = operations.get(id);
        if (operation == null) {
            throw new AssertionError("the document has no operation " + id + "; it has " + operations.keySet());
        }
        return operation;
    }

    /** The statuses the document lists for an operation. */
    Set<String> documented(String id) {
        Set<String> statuses = new TreeSet<>();
        operation(id).node().path("responses").fieldNames().forEachRemaining(statuses::add);
        return statuses;
    }

    /** A schema of components/schemas by name. */
    JsonNode schema(String name) {
        JsonNode schema = document.path("components").path("schemas").path(name);
        if (schema.isMissingNode()) {
            throw new AssertionError("the document has no schema " + name);
        }
        return schema;
    }

    /**
     * Sends one request to an operation, at the document's method and path, and checks the answer.
     *
     * @param meant      the status this request is built to get: a different one is reported (the scenario is stale)
     * @param pathParams values for the path's {templates}
     * @param customize  adds query parameters, headers and a body
     */
    Response call(String id, String what, int meant, Map<String, String> pathParams, UnaryOperator<RequestSpecification> customize) {
        Operation operation = operation(id);
        RequestSpecification request = customize.apply(given().redirects().follow(false).pathParams(pathParams));
        Response response = request.request(operation.method(), operation.path());
        check(operation, what, meant, response);
        return response;
    }

    Response call(String id, String what, int meant, UnaryOperator<RequestSpecification> customize) {
        return call(id, what, meant, Map.of(), customize);
    }

    private void check(Operation operation, String what, int meant, Response response) {
        String status = String.valueOf(response.statusCode());
        String where = operation.id() + " (" + what + ")";
        String body = response.asString();
        String shortBody = body.length() > 300 ? body.substring(0, 300) + "..." : body;
        if (response.statusCode() != meant) {
            failures.add(where + ": meant to get " + meant + ", got " + status + " " + shortBody);
        }
        observed.computeIfAbsent(operation.id(), k -> new TreeSet<>()).add(status);
        JsonNode documented = operation.node().path("responses").path(status);
        if (documented.isMissingNode()) {
            failures.add(where + ": answered " + status + ", which the document does not list for " + operation.method()
                    + " " + operation.path() + " (it lists " + documented(operation.id()) + ")");
            return;
        }
        documented = resolve(documented);
        String mediaType = response.contentType() == null ? "" : response.contentType().split(";")[0].trim().toLowerCase();
        JsonNode content = documented.path("content");
        if (!body.isEmpty() && !content.has(mediaType)) {
            failures.add(where + ": " + status + " came as '" + mediaType + "', the document lists " + names(content));
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> headers = documented.path("headers").fields(); headers.hasNext(); ) {
            Map.Entry<String, JsonNode> header = headers.next();
            if (resolve(header.getValue()).path("required").asBoolean(false) && response.header(header.getKey()) == null) {
                failures.add(where + ": " + status + " lacks the header " + header.getKey() + ", which the document requires");
            }
        }
        if (mediaType.endsWith("json") && !body.isEmpty()) {
            checkBody(where + ": " + status, body, resolve(content.path(mediaType).path("schema")));
        }
        if (mediaType.equals(ProblemResponses.PROBLEM_JSON)) {
            try {
                if (JSON.readTree(body).path("status").asInt() != response.statusCode()) {
                    failures.add(where + ": the problem's status member is not the HTTP status " + status);
                }
            } catch (Exception e) {
                failures.add(where + ": the problem is not JSON: " + shortBody);
            }
        }
    }

    /** Top-level members only: enough to catch a member the document forgot or one it requires but is never sent. */
    private void checkBody(String where, String body, JsonNode schema) {
        JsonNode value;
        try {
            value = JSON.readTree(body);
        } catch (Exception e) {
            failures.add(where + ": the body is not JSON: " + body);
            return;
        }
        if ("array".equals(schema.path("type").asText())) {
            if (!value.isArray()) {
                failures.add(where + ": the document says an array, the body is " + value.getNodeType());
                return;
            }
            JsonNode items = resolve(schema.path("items"));
            value.forEach(item -> checkObject(where, item, items));
        } else {
            checkObject(where, value, schema);
        }
    }

    private void checkObject(String where, JsonNode value, JsonNode schema) {
        JsonNode properties = schema.path("properties");
        if (properties.isMissingNode()) {
            return; // a free-form object: nothing to compare
        }
        if (!value.isObject()) {
            failures.add(where + ": the document says an object, the body has " + value.getNodeType());
            return;
        }
        value.fieldNames().forEachRemaining(member -> {
            if (!properties.has(member)) {
                failures.add(where + ": the body has the member '" + member + "', which the schema does not list "
                        + names(properties));
            }
        });
        schema.path("required").forEach(required -> {
            if (!value.has(required.asText())) {
                failures.add(where + ": the body lacks '" + required.asText() + "', which the schema requires");
            }
        });
    }

    /** Follows a local $ref (#/components/...). */
    JsonNode resolve(JsonNode node) {
        JsonNode current = node;
        for (int hops = 0; current.has("$ref") && hops < 10; hops++) {
            String ref = current.get("$ref").asText();
            if (!ref.startsWith("#/")) {
                throw new AssertionError("not a local $ref: " + ref);
            }
            current = document.at(ref.substring(1));
            if (current.isMissingNode()) {
                failures.add("the $ref " + ref + " points at nothing");
                return current;
            }
        }
        return current;
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    void failure(String message) {
        failures.add(message);
    }

    /**
     * Every status the document lists for every operation was answered, but those in {@code drivenElsewhere}, which
     * need a configuration this test's instance does not have (another test drives them); then fails with every
     * mismatch found on the way.
     */
    void assertEveryDocumentedStatusSeen(Map<String, Set<String>> drivenElsewhere) {
        for (Operation operation : operations.values()) {
            Set<String> missing = new TreeSet<>(documented(operation.id()));
            missing.removeAll(observed.getOrDefault(operation.id(), Set.of()));
            Set<String> elsewhere = drivenElsewhere.getOrDefault(operation.id(), Set.of());
            for (String status : elsewhere) {
                if (!missing.remove(status)) {
                    failures.add(operation.id() + ": " + status + " is said to be driven by another test, but "
                            + (documented(operation.id()).contains(status) ? "this one got it too" : "the document does not list it"));
                }
            }
            if (!missing.isEmpty()) {
                failures.add(operation.id() + " (" + operation.method() + " " + operation.path() + "): the document lists "
                        + missing + ", which no request here got; answered: " + observed.getOrDefault(operation.id(), Set.of()));
            }
        }
        assertNoFailures();
    }

    void assertNoFailures() {
        if (!failures.isEmpty()) {
            fail("the OpenAPI document and the API disagree (" + failures.size() + "):\n  " + String.join("\n  ", failures));
        }
    }
}
