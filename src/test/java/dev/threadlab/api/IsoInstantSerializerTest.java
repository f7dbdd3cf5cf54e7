package dev.threadlab.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The fast instant text must be exactly {@link Instant#toString()}, and it must be the one the service uses. */
@QuarkusTest
class IsoInstantSerializerTest {

    @Inject
    ObjectMapper mapper;

    @Test
    void writesExactlyWhatInstantToStringWrites() throws Exception {
        List<Instant> edges = List.of(Instant.EPOCH, Instant.ofEpochSecond(0, 1), Instant.ofEpochSecond(-1, 999_999_999),
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("2024-02-29T12:00:00.100Z"), Instant.parse("2026-11-25T15:13:30.068875Z"),
                Instant.parse("2026-11-25T15:13:30.000000250Z"), Instant.parse("-0001-12-31T23:59:59Z"),
                Instant.parse("+10000-01-01T00:00:00Z"), Instant.MIN, Instant.MAX);
        for (Instant instant : edges) {
            assertEquals('"' + instant.toString() + '"', mapper.writeValueAsString(instant), instant::toString);
        }
        Random random = new Random(7);
        long fourCenturies = 146_097L * 86_400;
        for (int i = 0; i < 100_000; i++) {
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(Math.floorMod(random.nextLong(), 4 * fourCenturies) - 2 * fourCenturies, nanos);
            assertEquals('"' + instant.toString() + '"', mapper.writeValueAsString(instant), instant::toString);
        }
    }

    @Test
    void theServiceMapperUsesIt() throws Exception {
        assertInstanceOf(IsoInstantSerializer.class, mapper.getSerializerProviderInstance().findValueSerializer(Instant.class));
    }
}
