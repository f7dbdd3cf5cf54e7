package dev.threadlab.pool;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;

/** The context of platform and virtual pools: checkpoints only check for cancellation. Used by one thread. */
public class PlainTaskContext implements TaskContext {

    private final TaskHandle handle;

    public PlainTaskContext(TaskHandle handle) {
        this.handle = handle;
    }

    @Override
    public void checkpoint() {
        if (handle.cancelRequested()) {
            throw new TaskCancelledException();
        }
    }

    @Override
    public <T> T blocking(BlockingCall<T> call) throws IOException {
        checkpoint();
        return callInterruptibly(handle, call);
    }

    @Override
    public int taskIndex() {
        return handle.index();
    }

    /** Runs a blocking call; an interrupt (or the channel close an interrupt causes) means cancellation. */
    public static <T> T callInterruptibly(TaskHandle handle, BlockingCall<T> call) throws IOException {
        try {
            return call.call();
        } catch (InterruptedException | ClosedByInterruptException | InterruptedIOException e) {
            throw new TaskCancelledException();
        } catch (IOException e) {
            if (handle.cancelRequested()) {
                throw new TaskCancelledException();
            }
            throw e;
        }
    }
}
