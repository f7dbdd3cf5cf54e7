package dev.threadlab.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static dev.threadlab.api.JobResourceTest.PROBLEM;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;

@QuarkusTest
class ExperimentResourceTest {

    @Test
    void runsAnExperimentAndServesItAsJsonCsvAndSvg() {
        String id = given().contentType(ContentType.JSON)
                .body("{\"workload\":\"cpu\",\"params\":{\"iterations\":100000},\"pools\":[\"cpu\",\"gil\"],\"tasks\":[1,2],\"repeats\":2}")
                .post("/experiments").then().statusCode(202)
                .header("Location", matchesPattern("/experiments/qtest-[a-z2-9]{16}"))
                .body("progress.points", equalTo(4)).body("progress.jobs", equalTo(8))
                .extract().path("id");
        given().queryParam("timeout", "60s").get("/experiments/" + id + "/join").then().statusCode(200)
                .body("state", equalTo("SUCCEEDED")).body("rows", hasSize(4))
                .body("rows[0].pool", equalTo("cpu")).body("rows[0].tasks", equalTo(1))
                .body("rows[0].speedup", equalTo(1.0f)).body("rows[0].repeats", equalTo(2));
        given().queryParam("format", "csv").get("/experiments/" + id).then().statusCode(200)
                .contentType(startsWith("text/csv")).body(startsWith("variant,pool,tasks,"));
        given().get("/experiments/" + id + "/chart.svg").then().statusCode(200)
                .contentType(startsWith("image/svg+xml")).body(containsString("<svg"))
                .body(containsString("data-series=\"gil\""));
        given().queryParam("metric", "throughput").get("/experiments/" + id + "/chart.svg").then().statusCode(200);
        given().queryParam("metric", "pie").get("/experiments/" + id + "/chart.svg").then().statusCode(400)
                .contentType(PROBLEM).body("field", equalTo("metric"));
        given().queryParam("format", "xml").get("/experiments/" + id).then().statusCode(400);
        given().delete("/experiments/" + id).then().statusCode(409).contentType(PROBLEM);
    }

    @Test
    void presetsAreListedAndRunnable() {
        given().get("/experiments/presets").then().statusCode(200)
                .body("name", hasItems("cpu-bound-gil", "io-bound", "convoy", "race"));
        String id = given().contentType(ContentType.JSON).body("{\"preset\":\"convoy\"}").post("/experiments")
                .then().statusCode(202).body("preset", equalTo("convoy")).extract().path("id");
        given().delete("/experiments/" + id).then().statusCode(202)
                .body("state", equalTo("CANCELLED")).body("done", equalTo(true)); // like a job's cancel: at once
        given().queryParam("timeout", "30s").get("/experiments/" + id + "/join").then().statusCode(200)
                .body("state", equalTo("CANCELLED"));
    }

    @Test
    void badExperimentsAre400AndUnknownIds404() {
        given().contentType(ContentType.JSON).body("{\"workload\":\"cpu\",\"pools\":[\"cpu\"],\"tasks\":[1],\"repeats\":50}")
                .post("/experiments").then().statusCode(400).contentType(PROBLEM).body("field", equalTo("repeats"));
        given().contentType(ContentType.JSON).body("{\"workload\":\"cpu\",\"pools\":[],\"tasks\":[1]}")
                .post("/experiments").then().statusCode(400).body("field", equalTo("pools"));
        given().contentType(ContentType.JSON).body("{\"preset\":\"everything\"}")
                .post("/experiments").then().statusCode(400).body("detail", containsString("cpu-bound-gil"));
        given().get("/experiments/qtest-aaaaaaaaaaaaaaaa").then().statusCode(404).contentType(PROBLEM);
    }
}
