package dev.threadlab.shutdown;

import dev.threadlab.config.ThreadlabConfig;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.Waiters;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Runs {@link GracefulShutdown} in the first phase of Quarkus's own shutdown (SIGTERM, what Kubernetes sends): the
 * pre-shutdown phase ({@code quarkus.shutdown.delay-enabled}), which waits for its observers and keeps serving HTTP
 * meanwhile. So reads, cancels and waiting joins are answered during the delay and the drain, and only then does
 * Quarkus stop accepting requests and stop the application; the JVM exits with 143 (128 + SIGTERM), as JVMs do on
 * SIGTERM. Only for the packaged application: dev and test modes stop at once.
 *
 * <p>Thread-safety: the event is fired once, on Quarkus's shutdown thread, which runs the whole drain.
 */
@Singleton
public class ShutdownSequence {

    private static final Logger LOG = Logger.getLogger(ShutdownSequence.class);

    private final JobEngine engine;
    private final Waiters waiters;
    private final ThreadlabConfig.Shutdown settings;

    public ShutdownSequence(JobEngine engine, Waiters waiters, ThreadlabConfig config) {
        this.engine = engine;
        this.waiters = waiters;
        this.settings = config.shutdown();
    }

    void drain(@Observes ShutdownDelayInitiatedEvent shutdown) {
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return;
        }
        LOG.infof("shutting down: readiness DOWN, new jobs refused; serving reads and joins for %s, then draining for up to %s",
                settings.delay(), settings.drain());
        try {
            LOG.info(new GracefulShutdown(engine, waiters, settings.delay(), settings.drain()).run().line());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("shutdown drain interrupted; remaining jobs are cancelled as the pools stop");
        }
    }
}
