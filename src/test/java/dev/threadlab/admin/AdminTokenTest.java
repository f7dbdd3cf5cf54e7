package dev.threadlab.admin;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminTokenTest {

    /** Without a configured token, admin operations are disabled, whatever is sent: closed by default. */
    @Test
    void withoutATokenAdminOperationsAreDisabled() {
        AdminToken none = new AdminToken(Optional.empty());
        assertFalse(none.enabled());
        for (String sent : new String[]{null, "", "Bearer ", "Bearer anything"}) {
            AdminRefusedException refused = assertThrows(AdminRefusedException.class, () -> none.check(sent));
            assertTrue(refused.disabled());
            assertTrue(refused.getMessage().contains("THREADLAB_ADMIN_TOKEN"), "says how to enable them");
        }
        assertFalse(new AdminToken(Optional.of("  ")).enabled(), "a blank token is no token");
    }

    @Test
    void withATokenOnlyTheRightBearerPasses() {
        AdminToken guarded = new AdminToken(Optional.of("s3cret"));
        assertTrue(guarded.enabled());
        assertDoesNotThrow(() -> guarded.check("Bearer s3cret"));
        assertDoesNotThrow(() -> guarded.check("bearer s3cret"));
        for (String wrong : new String[]{null, "", "s3cret", "Bearer", "Bearer s3cre", "Bearer s3cret2", "Basic czNjcmV0"}) {
            AdminRefusedException refused = assertThrows(AdminRefusedException.class, () -> guarded.check(wrong), String.valueOf(wrong));
            assertFalse(refused.disabled(), "a token is configured: the right one would pass");
        }
    }
}
