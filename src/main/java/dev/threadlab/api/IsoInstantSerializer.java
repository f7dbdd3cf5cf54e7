package dev.threadlab.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Writes an {@link Instant} as the same ISO-8601 UTC text as {@link Instant#toString()}
 * ({@code 2026-11-25T15:13:30.068875250Z}; the fraction in groups of three digits, none for a whole second),
 * with plain arithmetic instead of a {@code DateTimeFormatter}, since every job answer carries up to three instants.
 * Years outside 0000-9999 (which ISO-8601 writes with a sign) go through {@code toString}. Stateless and thread-safe.
 */
final class IsoInstantSerializer extends StdSerializer<Instant> {

    /** {@code yyyy-MM-ddTHH:mm:ss.nnnnnnnnnZ} */
    private static final int MAX_LENGTH = 30;
    private static final long FIRST_SECOND_OF_YEAR_0 = -62_167_219_200L;
    private static final long LAST_SECOND_OF_YEAR_9999 = 253_402_300_799L;

    IsoInstantSerializer() {
        super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator generator, SerializerProvider provider) throws IOException {
        char[] text = new char[MAX_LENGTH];
        int length = format(value, text);
        if (length < 0) {
            generator.writeString(value.toString());
        } else {
            generator.writeString(text, 0, length);
        }
    }

    /** Writes {@code instant} into {@code out}; the length written, or -1 for a year outside 0000-9999. */
    private static int format(Instant instant, char[] out) {
        long seconds = instant.getEpochSecond();
        if (seconds < FIRST_SECOND_OF_YEAR_0 || seconds > LAST_SECOND_OF_YEAR_9999) {
            return -1;
        }
        LocalDateTime time = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        int at = digits(time.getYear(), 4, out, 0);
        out[at++] = '-';
        at = digits(time.getMonthValue(), 2, out, at);
        out[at++] = '-';
        at = digits(time.getDayOfMonth(), 2, out, at);
        out[at++] = 'T';
        at = digits(time.getHour(), 2, out, at);
        out[at++] = ':';
        at = digits(time.getMinute(), 2, out, at);
        out[at++] = ':';
        at = digits(time.getSecond(), 2, out, at);
        int nanos = instant.getNano();
        if (nanos != 0) {
            out[at++] = '.';
            if (nanos % 1_000_000 == 0) {
                at = digits(nanos / 1_000_000, 3, out, at);
            } else if (nanos % 1_000 == 0) {
                at = digits(nanos / 1_000, 6, out, at);
            } else {
                at = digits(nanos, 9, out, at);
            }
        }
        out[at++] = 'Z';
        return at;
    }

    /** {@code value} in exactly {@code width} decimal digits, zero-padded, written at {@code at}. */
    private static int digits(int value, int width, char[] out, int at) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }
}
