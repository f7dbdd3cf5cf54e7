package dev.threadlab.api;

import dev.threadlab.job.JobEngine;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Names the instance that answered in every response, {@code Threadlab-Instance: a1}, so that a client behind a
 * balancer sees which instance it reached. Stateless.
 */
@Singleton
public class InstanceHeader {

    static final CharSequence NAME = HttpHeaders.createOptimized("Threadlab-Instance");

    void install(@Observes Router router, JobEngine engine) {
        CharSequence instance = HttpHeaders.createOptimized(engine.instance());
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            ctx.response().putHeader(NAME, instance);
            ctx.next();
        });
    }
}
