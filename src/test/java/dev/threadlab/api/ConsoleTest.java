package dev.threadlab.api;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** GET / is the console for browsers and a short JSON index for curl; the console's files are served with it. */
@QuarkusTest
class ConsoleTest {

    @Test
    void curlGetsAnIndexAndBrowsersGetTheConsole() {
        given().header("Accept", "*/*").get("/").then().statusCode(200).contentType(startsWith("application/json"))
                .body("name", equalTo("threadlab")).body("instance", equalTo("qtest"))
                .body("links.api", equalTo("/q/openapi")).body("links.events", equalTo("/events"));
        given().header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8").get("/").then().statusCode(200)
                .contentType(startsWith("text/html"))
                .body(containsString("data-instance=\"qtest\""))
                .body(containsString("/console/app.js"));
        for (String file : new String[]{"app.js", "api.js", "pools.js", "timeline.js", "runjob.js", "jobs.js",
                "experiments.js", "lessons.js", "style.css"}) {
            given().get("/console/" + file).then().statusCode(200);
        }
    }
}
