package dev.threadlab.testing;

import java.util.Set;
import java.util.TreeSet;

import static io.restassured.RestAssured.given;

/** The metric names the running test instance exports at {@code /q/metrics} (Prometheus text format). */
public final class ExportedMetrics {

    private ExportedMetrics() {
    }

    public static Set<String> names() {
        Set<String> names = new TreeSet<>();
        for (String line : given().get("/q/metrics").then().statusCode(200).extract().asString().split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }
}
