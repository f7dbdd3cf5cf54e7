package dev.threadlab.job;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Job ids: {@code <instance>-<16 random base-32 chars>} (80 random bits from {@link SecureRandom}), so ids are
 * unguessable and tell which instance owns them. Thread-safe ({@code SecureRandom} is).
 */
public final class IdGenerator {

    private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
    private static final Pattern INSTANCE = Pattern.compile("[a-z0-9]{1,16}");
    private static final Pattern ID = Pattern.compile("([a-z0-9]{1,16})-([a-z2-9]{16})");

    private final SecureRandom random = new SecureRandom();
    private final String instance;

    public IdGenerator(Optional<String> configuredInstance) {
        this.instance = configuredInstance.map(IdGenerator::checkInstance).orElseGet(this::randomInstance);
    }

    private static String checkInstance(String instance) {
        if (!INSTANCE.matcher(instance).matches()) {
            throw new IllegalArgumentException("threadlab.instance-id must be 1-16 characters of a-z and 0-9, got '" + instance + "'");
        }
        return instance;
    }

    private String randomInstance() {
        return randomChars(4);
    }

    public String instance() {
        return instance;
    }

    public String next() {
        return instance + "-" + randomChars(16);
    }

    /** The instance an id names, or empty when the text is no job id at all. */
    public static Optional<String> instanceOf(String id) {
        var matcher = ID.matcher(id);
        return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    private String randomChars(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        char[] chars = new char[count];
        for (int i = 0; i < count; i++) {
            chars[i] = ALPHABET[bytes[i] & 31];
        }
        return new String(chars);
    }
}
