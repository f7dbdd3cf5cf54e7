package dev.threadlab.app;

import dev.threadlab.pool.HandOff;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * Lets jobs submitted on a Vert.x event loop reach their pool's threads together: the first submission of a burst
 * queues one task behind the requests the event loop is already handling, and that task hands every pool touched
 * meanwhile over to its threads, so a burst of jobs wakes the threads once; an idle service hands over right after
 * the request. Any other thread hands over at once.
 *
 * <p>Thread-safety: the pending hand-overs are per event-loop thread (a {@link ThreadLocal}) and only that thread
 * touches them, both when adding and when running them, since the deferred task runs on the same event loop.
 */
final class EventLoopHandOff implements HandOff {

    private static final Logger LOG = Logger.getLogger(EventLoopHandOff.class);

    private final ThreadLocal<List<Runnable>> pending = ThreadLocal.withInitial(() -> new ArrayList<>(4));

    @Override
    public boolean deferOnCurrentThread(Runnable handOver) {
        Context context = Context.isOnEventLoopThread() ? Vertx.currentContext() : null;
        if (context == null) {
            return false;
        }
        List<Runnable> due = pending.get();
        if (due.isEmpty()) {
            context.runOnContext(ignored -> runAll(due));
        }
        if (!due.contains(handOver)) { // a handful of pools at most: a list beats a set
            due.add(handOver);
        }
        return true;
    }

    private static void runAll(List<Runnable> due) {
        Runnable[] now = due.toArray(Runnable[]::new);
        due.clear();
        for (Runnable handOver : now) {
            try {
                handOver.run();
            } catch (RuntimeException e) {
                LOG.error("handing queued tasks to a pool failed; they start when its next task ends", e);
            }
        }
    }
}
