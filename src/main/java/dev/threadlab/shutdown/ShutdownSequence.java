package dev.threadlab.shutdown;

import dev.threadlab.config.ThreadlabConfig;
import dev.threadlab.job.JobEngine;
import dev.threadlab.job.Waiters;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import sun.misc.Signal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wires {@link GracefulShutdown} to SIGTERM, what Kubernetes sends. The drain runs before Quarkus begins to stop,
 * because Quarkus stops accepting HTTP requests as its first step, and reads and waiting joins must still be
 * answered during the drain. Then an orderly Quarkus exit with code 0 follows (the JVM's own SIGTERM handling
 * would exit with 143). A second SIGTERM exits at once. Only for the packaged application: dev and test modes keep
 * Quarkus' own handling.
 *
 * <p>Thread-safety: signal handlers run on the JVM's signal thread; {@code started} (a CAS) lets exactly one of them
 * start the drain thread, and any later one exits at once.
 */
@Singleton
public class ShutdownSequence {

    private static final Logger LOG = Logger.getLogger(ShutdownSequence.class);

    private final JobEngine engine;
    private final Waiters waiters;
    private final ThreadlabConfig.Shutdown settings;
    private final AtomicBoolean started = new AtomicBoolean();

    public ShutdownSequence(JobEngine engine, Waiters waiters, ThreadlabConfig config) {
        this.engine = engine;
        this.waiters = waiters;
        this.settings = config.shutdown();
    }

    void handleSigterm(@Observes StartupEvent startup) {
        if (LaunchMode.current() == LaunchMode.NORMAL) {
            Signal.handle(new Signal("TERM"), signal -> onSigterm());
        }
    }

    private void onSigterm() {
        if (!started.compareAndSet(false, true)) {
            LOG.warn("second SIGTERM: stopping now");
            Quarkus.asyncExit(0);
            return;
        }
        Thread.ofPlatform().name("threadlab-shutdown").start(this::drainThenExit);
    }

    private void drainThenExit() {
        LOG.infof("SIGTERM: readiness DOWN, new jobs refused; serving reads and joins for %s, then draining for up to %s",
                settings.delay(), settings.drain());
        try {
            GracefulShutdown.Summary summary = new GracefulShutdown(engine, waiters, settings.delay(), settings.drain()).run();
            LOG.info(summary.line());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("shutdown drain interrupted; remaining jobs are cancelled as the pools stop");
        } finally {
            Quarkus.asyncExit(0);
        }
    }
}
