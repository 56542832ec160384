package io.relais.client.impl;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.relais.client.Message;
import io.relais.client.NoRouteException;
import io.relais.client.RelaisException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publish on its way, from the application's call to its outcome: the task that carries it to the event
 * loop, the listener of its write, and (with a confirm) its entry in the {@link UnconfirmedPublishes} table, all
 * in this one object. The outcome goes to a future (the {@code publish}/{@code publishConfirmed} calls), to a
 * {@link ClientPublisher}'s listener, or nowhere ({@code publishAndForget}); the last two need no future at all.
 *
 * <p>Created on the publishing thread and handed over once, to a {@link Connection} or to the
 * {@link DisconnectedPublishBuffer}; from then on its mutable fields are only touched on the event loop of the
 * connection it was sent on, except the window release, which happens once.
 */
final class OutgoingPublish extends LoopTask implements ChannelFutureListener {
    private static final Logger LOG = LoggerFactory.getLogger(OutgoingPublish.class);

    final Message message;
    final boolean confirmed;
    /** Where the outcome goes, for a publish made through a future-returning call; else null. */
    private final CompletableFuture<Void> future;
    /** Where the outcome goes, for a publish made through a {@link ClientPublisher}; else null. */
    final ClientPublisher publisher;
    /** The publisher's own number for it; 0 for a future's publish. */
    long publisherSeq;

    // Set by the connection that sends it.
    private Connection connection;
    private PublishGate window;
    private OpenSession session;
    long wireSeq;
    long deadlineNanos;
    NoRouteException returned;

    /** A publish whose outcome completes {@code future}. */
    /**
     * A publish of {@code message} with a future, handed to {@code sink}; the future fails at once with the
     * reason the sink gives if it refuses it.
     */
    static CompletableFuture<Void> submit(Message message, boolean confirmed,
                                          Function<OutgoingPublish, RelaisException> sink) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        RelaisException refused = sink.apply(new OutgoingPublish(message, confirmed, f));
        if (refused != null) {
            f.completeExceptionally(refused);
        }
        return f;
    }

    OutgoingPublish(Message message, boolean confirmed, CompletableFuture<Void> future) {
        this.message = message;
        this.confirmed = confirmed;
        this.future = future;
        this.publisher = null;
    }

    /** A publish without confirm whose outcome nobody waits for ({@code publishAndForget}). */
    OutgoingPublish(Message message) {
        this.message = message;
        this.confirmed = false;
        this.future = null;
        this.publisher = null;
    }

    /** A confirmed publish of {@code publisher}, reported to its listener. */
    OutgoingPublish(Message message, ClientPublisher publisher) {
        this.message = message;
        this.confirmed = true;
        this.future = null;
        this.publisher = publisher;
    }

    /** The connection it is handed to; {@code window} holds its place when it is confirmed. */
    void handedTo(Connection connection, PublishGate window) {
        this.connection = connection;
        this.window = window;
    }

    @Override
    void runOnLoop() {
        connection.publishArrived(this);
    }

    @Override
    void refused(RelaisException cause) {
        connection.publishRefused(this);
        failed(cause);
    }

    /**
     * True when the outcome of its write matters by itself (a future waits for it); otherwise it is written with
     * the channel's void promise, and a failed write, which ends the connection, reaches it through the table.
     */
    boolean awaitsWrite() {
        return future != null;
    }

    /** Written on {@code session}'s connection; the write's outcome comes to {@link #operationComplete}. */
    void written(OpenSession session) {
        this.session = session;
    }

    @Override
    public void operationComplete(ChannelFuture write) {
        if (!write.isSuccess()) {
            session.publishWriteFailed(this, write.cause());
        } else if (!confirmed) {
            succeeded();
        }
    }

    /** Gives back the place in the window, once. */
    private void releaseWindow() {
        PublishGate w = window;
        if (w != null) {
            window = null;
            w.releaseConfirmWindow();
        }
    }

    /** The publish succeeded: written (without confirm) or confirmed; a publisher's is reported by the table. */
    void succeeded() {
        releaseWindow();
        if (future != null) {
            future.complete(null);
        }
    }

    /** Settled without a report of its own: the table reports it to the publisher's listener in a run. */
    void settledQuietly() {
        releaseWindow();
    }

    /** The publish failed with {@code cause}. */
    void failed(RelaisException cause) {
        releaseWindow();
        if (future != null) {
            future.completeExceptionally(cause);
        } else if (publisher != null) {
            publisher.nacked(publisherSeq, cause, false);
        } else {
            LOG.debug("publish to '{}' with routing key '{}' not sent: {}", message.exchange(), message.routingKey(),
                    cause.getMessage());
        }
    }
}
