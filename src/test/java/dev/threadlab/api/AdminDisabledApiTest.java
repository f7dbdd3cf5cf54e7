package dev.threadlab.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.threadlab.testing.Admin.asAdmin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Without a configured token, admin operations are disabled for everyone, with a problem that says how to enable them. */
@QuarkusTest
@TestProfile(AdminDisabledApiTest.WithoutToken.class)
class AdminDisabledApiTest {

    public static class WithoutToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("threadlab.admin.token", " "); // blank: no token
        }
    }

    @Test
    void adminOperationsAreClosedByDefault() {
        for (var request : java.util.List.of(given(), asAdmin(), given().header("Authorization", "Bearer "))) {
            request.contentType(ContentType.JSON).body("{\"threads\":2}").patch("/pools/tiny")
                    .then().statusCode(403).contentType(JobResourceTest.PROBLEM)
                    .body("type", equalTo("https://threadlab.dev/problems/admin-disabled"))
                    .body("detail", containsString("THREADLAB_ADMIN_TOKEN"));
        }
        given().get("/pools/tiny").then().statusCode(200).body("threads", equalTo(1));
    }
}
