package dev.threadlab.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

import java.time.Instant;

/**
 * Decodes JSON decimals exactly (BigDecimal), so limits are checked on the number the client sent; writes instants
 * with {@link IsoInstantSerializer}.
 */
@Singleton
public class JacksonSetup implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.registerModule(new SimpleModule("threadlab").addSerializer(Instant.class, new IsoInstantSerializer()));
    }

    /** After Quarkus's own customizer, whose java.time module would otherwise take Instant back. */
    @Override
    public int priority() {
        return MINIMUM_PRIORITY;
    }
}
