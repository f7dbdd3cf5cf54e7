package dev.threadlab.shutdown;

import dev.threadlab.job.JobEngine;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness is DOWN from the moment shutdown begins, so load balancers stop routing new work here. */
@Readiness
@Singleton
public class ShutdownReadiness implements HealthCheck {

    private final JobEngine engine;

    public ShutdownReadiness(JobEngine engine) {
        this.engine = engine;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("accepting-jobs").status(!engine.shuttingDown()).build();
    }
}
