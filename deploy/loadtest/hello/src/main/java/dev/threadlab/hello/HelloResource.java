package dev.threadlab.hello;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The framework's floor, answered on the event loop as threadlab answers its own requests: a constant for
 * {@code GET /hello}, and for {@code POST /hello/json} what Quarkus REST itself costs for a request shaped like a job
 * submission (its JSON body read into a record, a 202 with a five-field JSON answer and a Location), without a job.
 */
@Path("/hello")
public class HelloResource {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    public record Submission(String workload, String pool, Integer tasks, Map<String, Object> params, Long timeoutMs) {
    }

    public record Accepted(String id, String workload, String pool, int tasks, String state) {
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    @NonBlocking
    public String hello() {
        return "hello";
    }

    @POST
    @Path("/json")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @NonBlocking
    public RestResponse<Accepted> accept(Submission submission) {
        String id = "h-" + Long.toString(SEQUENCE.incrementAndGet(), 36);
        Accepted accepted = new Accepted(id, submission.workload(), "cpu", 1, "QUEUED");
        return RestResponse.ResponseBuilder.accepted(accepted).header(HttpHeaders.LOCATION, "/hello/json/" + id).build();
    }
}
