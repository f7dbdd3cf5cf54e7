package dev.threadlab.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@TestProfile(AdminTokenApiTest.WithToken.class)
class AdminTokenApiTest {

    public static class WithToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("threadlab.admin.token", "letmein");
        }
    }

    @Test
    void changingAPoolNeedsTheBearerToken() {
        given().contentType(ContentType.JSON).body("{\"threads\":2}").patch("/pools/tiny")
                .then().statusCode(401).contentType(JobResourceTest.PROBLEM)
                .header("WWW-Authenticate", "Bearer realm=\"threadlab\"");
        given().contentType(ContentType.JSON).header("Authorization", "Bearer wrong").body("{\"threads\":2}")
                .patch("/pools/tiny").then().statusCode(401);
        given().contentType(ContentType.JSON).header("Authorization", "Bearer letmein").body("{\"threads\":2}")
                .patch("/pools/tiny").then().statusCode(200).body("threads", equalTo(2));
        given().contentType(ContentType.JSON).header("Authorization", "Bearer letmein").body("{\"threads\":1}")
                .patch("/pools/tiny").then().statusCode(200);
        given().get("/pools/tiny").then().statusCode(200); // reads stay open
    }
}
