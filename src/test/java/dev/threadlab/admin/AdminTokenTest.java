package dev.threadlab.admin;

import dev.threadlab.problem.Problem;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminTokenTest {

    @Test
    void withoutATokenEverythingIsOpen() {
        AdminToken open = new AdminToken(Optional.empty());
        assertTrue(open.open());
        assertDoesNotThrow(() -> open.check(null));
        assertTrue(new AdminToken(Optional.of("  ")).open(), "a blank token is no token");
    }

    @Test
    void withATokenOnlyTheRightBearerPasses() {
        AdminToken guarded = new AdminToken(Optional.of("s3cret"));
        assertDoesNotThrow(() -> guarded.check("Bearer s3cret"));
        assertDoesNotThrow(() -> guarded.check("bearer s3cret"));
        for (String wrong : new String[]{null, "", "s3cret", "Bearer", "Bearer s3cre", "Bearer s3cret2", "Basic czNjcmV0"}) {
            Problem problem = assertThrows(Problem.class, () -> guarded.check(wrong), String.valueOf(wrong));
            assertEquals(401, problem.status());
            assertEquals("Bearer realm=\"threadlab\"", problem.headers().get("WWW-Authenticate"));
        }
    }
}
