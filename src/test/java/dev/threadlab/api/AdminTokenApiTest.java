package dev.threadlab.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static dev.threadlab.testing.Admin.asAdmin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** With a configured token (the test profile has one), an admin operation needs exactly that bearer token. */
@QuarkusTest
class AdminTokenApiTest {

    @Test
    void changingAPoolNeedsTheBearerToken() {
        given().contentType(ContentType.JSON).body("{\"threads\":2}").patch("/pools/tiny")
                .then().statusCode(401).contentType(JobResourceTest.PROBLEM)
                .header("WWW-Authenticate", "Bearer realm=\"threadlab\"")
                .body("type", equalTo("https://threadlab.dev/problems/unauthorized"));
        given().contentType(ContentType.JSON).header("Authorization", "Bearer wrong").body("{\"threads\":2}")
                .patch("/pools/tiny").then().statusCode(401);
        asAdmin().contentType(ContentType.JSON).body("{\"threads\":2}")
                .patch("/pools/tiny").then().statusCode(200).body("threads", equalTo(2));
        asAdmin().contentType(ContentType.JSON).body("{\"threads\":1}")
                .patch("/pools/tiny").then().statusCode(200).body("threads", equalTo(1));
        given().get("/pools/tiny").then().statusCode(200); // reads stay open
        given().get("/pools/tiny").then().body("threads", equalTo(1));
        asAdmin().contentType(ContentType.JSON).body("{}").patch("/pools/tiny").then().statusCode(400)
                .body("detail", containsString("at least one of"));
    }
}
