package io.relais.client.impl;

import io.relais.client.ConfirmListener;
import io.relais.client.Message;
import io.relais.client.Publisher;
import io.relais.client.RelaisException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Publisher} of {@code RelaisClient.publisher(listener)}: numbers its publishes and sends them through
 * the client's {@link ConnectionSupervisor} as {@link OutgoingPublish}es that report to its listener instead of
 * completing a future.
 *
 * <p>Thread-safe: a number is taken and its publish handed to the connection (or the reconnect buffer) under one
 * monitor, so numbers increase in the order the publishes go out, which is what lets the listener be told about
 * several at once ({@code multiple}). A caller that waits for room in the window waits holding it, so other
 * publishing threads wait behind it, as they would for the window.
 */
final class ClientPublisher implements Publisher {
    private static final Logger LOG = LoggerFactory.getLogger(ClientPublisher.class);

    private final ConnectionSupervisor supervisor;
    private final ConfirmListener listener;
    private final Object order = new Object();
    private long lastSeq; // guarded by order

    ClientPublisher(ConnectionSupervisor supervisor, ConfirmListener listener) {
        this.supervisor = supervisor;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public long publish(Message message) {
        Objects.requireNonNull(message, "message");
        synchronized (order) {
            OutgoingPublish p = new OutgoingPublish(message, this);
            p.publisherSeq = lastSeq + 1;
            RelaisException refused = supervisor.publish(p);
            if (refused != null) {
                throw refused;
            }
            return ++lastSeq;
        }
    }

    /** Reports a confirm to the listener; on the event loop. */
    void confirmed(long seq, boolean multiple) {
        try {
            listener.confirmed(seq, multiple);
        } catch (RuntimeException e) {
            LOG.warn("confirm listener failed on confirmed({}, {})", seq, multiple, e);
        }
    }

    /** Reports a failure to the listener; on the event loop, or on the publishing thread for a refused hand-off. */
    void nacked(long seq, RelaisException cause, boolean multiple) {
        try {
            listener.nacked(seq, cause, multiple);
        } catch (RuntimeException e) {
            LOG.warn("confirm listener failed on nacked({}, {})", seq, multiple, e);
        }
    }

    @Override
    public String toString() {
        return "Publisher[" + listener + "]";
    }
}
