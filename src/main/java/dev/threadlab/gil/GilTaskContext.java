package dev.threadlab.gil;

import dev.threadlab.pool.PlainTaskContext;
import dev.threadlab.pool.TaskCancelledException;
import dev.threadlab.pool.TaskContext;
import dev.threadlab.pool.TaskHandle;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The context of a task on a GIL pool: workload code runs only while the task holds its interpreter's token.
 * The token is taken at the first checkpoint (a thread needs it to start running code) and again after every
 * blocking call, handed over at a checkpoint when a waiter requested it, released around blocking calls, and
 * released when the task ends ({@link #finish()}).
 *
 * <p>A blocking call that completed always returns its result: taking the token back afterwards waits through
 * interrupts, as CPython's {@code PyEval_RestoreThread} does, and a cancel is seen at the next checkpoint (an
 * interrupt of another kind, at the next blocking call). So whatever the call acquired (a lock, a share of a budget)
 * reaches the task's own {@code finally}; a cancel in that wait cannot drop it on the floor. That wait has no bound
 * of its own, as in CPython: it ends when the holders let go, at their checkpoints or when they end; an interrupt
 * costs the waiter its place in line.
 *
 * <p>Thread-safety: used only by its task's thread; the figures are plain fields for that reason.
 */
final class GilTaskContext implements TaskContext {

    private final GilInterpreter interpreter;
    private final GilToken token;
    private final TaskHandle handle;
    private boolean holding;
    private long heldSince;
    private long waitNanos;
    private long holdNanos;
    private long switches;
    private long forcedReleases;
    private long voluntaryReleases;

    GilTaskContext(GilInterpreter interpreter, TaskHandle handle) {
        this.interpreter = interpreter;
        this.token = interpreter.token();
        this.handle = handle;
    }

    @Override
    public void checkpoint() {
        if (handle.cancelRequested()) {
            throw new TaskCancelledException();
        }
        if (!holding) {
            take();
        } else if (token.dropRequested()) {
            drop(true);
            take();
        }
    }

    @Override
    public <T> T blocking(BlockingCall<T> call) throws IOException {
        if (handle.cancelRequested()) {
            throw new TaskCancelledException();
        }
        if (holding) {
            drop(false);
        }
        T result;
        try {
            result = PlainTaskContext.callInterruptibly(handle, call);
        } catch (IOException | RuntimeException failed) {
            if (!(failed instanceof TaskCancelledException)) {
                take(); // the task may handle the error and run on: only ever with the token
            }
            throw failed;
        }
        takeBackAfter();
        return result;
    }

    @Override
    public int taskIndex() {
        return handle.index();
    }

    /** Per-task figures for the job's result: time waiting for and holding the token, switches, releases. */
    @Override
    public Map<String, Number> figures() {
        Map<String, Number> figures = new LinkedHashMap<>();
        figures.put("waitNanos", waitNanos);
        figures.put("holdNanos", holdNanos + (holding ? System.nanoTime() - heldSince : 0));
        figures.put("switches", switches);
        figures.put("forcedReleases", forcedReleases);
        figures.put("voluntaryReleases", voluntaryReleases);
        return figures;
    }

    /** Releases the token if held; the task is over. */
    @Override
    public void finish() {
        if (holding) {
            try {
                drop(false);
            } catch (TaskCancelledException alreadyEnding) {
                // a voluntary release never waits, so it cannot be interrupted
            }
        }
    }

    private void take() {
        try {
            GilToken.Acquisition acquisition = token.acquire(true);
            took(acquisition, acquisition.waitNanos());
        } catch (InterruptedException e) {
            throw new TaskCancelledException();
        }
    }

    /** Takes the token back after a completed blocking call, whatever interrupts it; keeps the interrupt. */
    private void takeBackAfter() {
        long started = System.nanoTime();
        boolean interrupted = false;
        while (true) {
            try {
                took(token.acquire(true), System.nanoTime() - started);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt(); // for the next blocking call; a cancel is seen at the next checkpoint
        }
    }

    /** @param waited the whole wait for this hold, across interrupted attempts */
    private void took(GilToken.Acquisition acquisition, long waited) {
        holding = true;
        heldSince = System.nanoTime();
        waitNanos += waited;
        if (acquisition.switched()) {
            switches++;
        }
        interpreter.recordAcquired(waited);
    }

    private void drop(boolean forced) {
        holding = false;
        interpreter.releasing(forced);
        long hold;
        try {
            hold = token.release(forced);
        } catch (InterruptedException e) {
            throw new TaskCancelledException(); // cancelled in the forced wait: the token is released already
        }
        holdNanos += hold;
        if (forced) {
            forcedReleases++;
        } else {
            voluntaryReleases++;
        }
        interpreter.recordReleased(hold, forced);
    }
}
