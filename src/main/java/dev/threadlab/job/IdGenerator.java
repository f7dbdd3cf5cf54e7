package dev.threadlab.job;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Job ids: {@code <instance>-<16 random base-32 chars>} (80 random bits from {@link SecureRandom}), so ids are
 * unguessable and tell which instance owns them. Thread-safe: each thread draws from its own block of bytes.
 */
public final class IdGenerator {

    private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
    private static final Pattern INSTANCE = Pattern.compile("[a-z0-9]{1,16}");
    private static final Pattern ID = Pattern.compile("([a-z0-9]{1,16})-([a-z2-9]{16})");

    /** Random bytes are drawn from {@link SecureRandom} a block at a time, per thread, instead of one call per id. */
    private static final int BLOCK = 4096;
    private static final ThreadLocal<RandomBlock> BLOCKS = ThreadLocal.withInitial(RandomBlock::new);
    private final String instance;

    /** One thread's block of secure random bytes. Used only by its thread. */
    private static final class RandomBlock {
        private final SecureRandom random = new SecureRandom();
        private final byte[] bytes = new byte[BLOCK];
        private int next = BLOCK;

        byte take() {
            if (next == BLOCK) {
                random.nextBytes(bytes);
                next = 0;
            }
            return bytes[next++];
        }
    }

    public IdGenerator(Optional<String> configuredInstance) {
        this.instance = configuredInstance.map(IdGenerator::checkInstance).orElseGet(() -> randomChars(4));
    }

    private static String checkInstance(String instance) {
        if (!INSTANCE.matcher(instance).matches()) {
            throw new IllegalArgumentException("threadlab.instance-id must be 1-16 characters of a-z and 0-9, got '" + instance + "'");
        }
        return instance;
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

    private static String randomChars(int count) {
        RandomBlock block = BLOCKS.get();
        char[] chars = new char[count];
        for (int i = 0; i < count; i++) {
            chars[i] = ALPHABET[block.take() & 31];
        }
        return new String(chars);
    }
}
