package dev.threadlab.testing;

import io.restassured.specification.RequestSpecification;

import static io.restassured.RestAssured.given;

/** Requests with the admin token of the test profile ({@code %test.threadlab.admin.token}). */
public final class Admin {

    public static final String TOKEN = "test-admin-token";

    private Admin() {
    }

    public static RequestSpecification asAdmin() {
        return given().header("Authorization", "Bearer " + TOKEN);
    }
}
