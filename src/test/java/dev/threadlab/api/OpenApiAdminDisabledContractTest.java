package dev.threadlab.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static dev.threadlab.testing.Admin.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The statuses that {@link OpenApiContractTest} cannot drive because they need an instance without an admin token
 * ({@link OpenApiContractTest#DRIVEN_WITHOUT_TOKEN}): here PATCH /pools/{name} is refused 403 whatever is sent, and the
 * document must list that answer as it comes.
 */
@QuarkusTest
@TestProfile(AdminDisabledApiTest.WithoutToken.class)
class OpenApiAdminDisabledContractTest {

    @Test
    void adminOperationsAreDocumentedAsForbiddenWithoutAToken() {
        OpenApiContract api = new OpenApiContract();
        assertEquals(Map.of("updatePool", Set.of("403")), OpenApiContractTest.DRIVEN_WITHOUT_TOKEN,
                "this test drives only updatePool's 403: teach it any other status said to be driven elsewhere");
        api.call("updatePool", "no token", 403, Map.of("name", "tiny"),
                r -> r.contentType(ContentType.JSON).body("{\"threads\":2}"));
        api.call("updatePool", "the token other instances use", 403, Map.of("name", "tiny"),
                r -> r.contentType(ContentType.JSON).body("{\"threads\":2}").header("Authorization", "Bearer " + TOKEN));
        api.assertNoFailures();
    }
}
