package dev.threadlab.job;

import org.jboss.logging.Logger;

/**
 * A one-shot end signal: {@link #complete()} runs every attached action once, on the completing thread and outside
 * the lock; an attachment whose wait ended detaches in constant time, so however many waits come and go, only the
 * waits still waiting stay attached.
 *
 * <p>Thread-safety: the monitor of this object guards {@code done} and the attachments (an intrusive doubly linked
 * list with a count); actions never run while it is held.
 */
public final class Completion implements Awaitable {

    private static final Logger LOG = Logger.getLogger(Completion.class);
    private static final Runnable[] NONE = new Runnable[0];

    private boolean done;
    private Node first;
    private int attached;

    @Override
    public synchronized boolean isDone() {
        return done;
    }

    @Override
    public Attachment attach(Runnable whenDone) {
        synchronized (this) {
            if (!done) {
                Node node = new Node(whenDone);
                node.next = first;
                if (first != null) {
                    first.previous = node;
                }
                first = node;
                attached++;
                return node;
            }
        }
        whenDone.run();
        return Attachment.NONE;
    }

    /**
     * Completes and runs every attached action, in no particular order, on this thread.
     *
     * @return false if it had completed already (nothing runs then)
     */
    public boolean complete() {
        Runnable[] actions;
        synchronized (this) {
            if (done) {
                return false;
            }
            done = true;
            actions = attached == 0 ? NONE : new Runnable[attached];
            int i = 0;
            Node node = first;
            while (node != null) {
                Node next = node.next;
                node.linked = false;
                node.previous = null;
                node.next = null;
                actions[i++] = node.action;
                node = next;
            }
            first = null;
            attached = 0;
        }
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
                LOG.error("an action waiting for a completion failed; the others still run", e);
            }
        }
        return true;
    }

    /** Actions attached now: the waits still waiting. */
    public synchronized int attached() {
        return attached;
    }

    /** One attachment; its links are guarded by the completion's monitor. */
    private final class Node implements Attachment {
        private final Runnable action;
        private Node previous;
        private Node next;
        private boolean linked = true;

        Node(Runnable action) {
            this.action = action;
        }

        @Override
        public void detach() {
            synchronized (Completion.this) {
                if (!linked) {
                    return;
                }
                linked = false;
                if (previous == null) {
                    first = next;
                } else {
                    previous.next = next;
                }
                if (next != null) {
                    next.previous = previous;
                }
                previous = null;
                next = null;
                attached--;
            }
        }
    }
}
