package dev.threadlab.input;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DurationsTest {

    private static final Duration CAP = Duration.ofSeconds(60);

    private static Duration parse(String text) {
        return Durations.parse("wait", text, Duration.ofSeconds(30), CAP);
    }

    @Test
    void acceptsUnitsAndPlainSeconds() {
        assertEquals(Duration.ofMillis(250), parse("250ms"));
        assertEquals(Duration.ofSeconds(10), parse("10s"));
        assertEquals(Duration.ofSeconds(10), parse("10"));
        assertEquals(Duration.ofMillis(1500), parse("1.5"));
        assertEquals(Duration.ofSeconds(60), parse("1m"));
        assertEquals(Duration.ZERO, parse("0"));
        assertEquals(Duration.ofSeconds(30), parse(null));
    }

    /** The README promises that waits beyond the maximum are capped, whatever unit they are written in. */
    @Test
    void capsLongWaitsInEveryUnit() {
        assertEquals(CAP, parse("2m"));
        assertEquals(CAP, parse("2h"));
        assertEquals(CAP, parse("999999999"));
        assertEquals(CAP, parse("9999999999999"));
        assertEquals(Duration.ofMillis(36), parse("0.00001h"));
    }

    @Test
    void rejectsAnythingElseNamingTheField() {
        for (String bad : new String[]{"", "-1", "abc", "10d", "1e3", "NaN", "1..2", "1".repeat(31)}) {
            InvalidInputException problem = assertThrows(InvalidInputException.class, () -> parse(bad), bad);
            assertEquals("wait", problem.field());
            assertEquals(bad, problem.value());
        }
    }
}
