package io.relais.bench.scenario;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * What a scenario needs from a broker, implemented for Relais and for NATS with the same
 * semantics: queues reached by name, topic exchanges with pattern bindings, publishers with or without
 * confirms, consumers with automatic or manual acknowledgement. Every sender and receiver has its own
 * connection. Implementations are thread-safe; senders are used by one thread each.
 */
interface MessagingSystem extends AutoCloseable {
    /** {@code relais} or {@code rabbitmq}. */
    String name();

    /** Declares a queue that senders reach with {@link #senderToQueue}; deleted by {@link #close()}. */
    void declareQueue(String queue, boolean durable) throws Exception;

    /** Declares a non-durable topic exchange; deleted by {@link #close()}. */
    void declareTopicExchange(String exchange) throws Exception;

    /** A publisher to the queue named {@code queue}, waiting for confirms when {@code maxUnconfirmed} > 0. */
    Sender senderToQueue(String queue, int maxUnconfirmed, Stats stats) throws Exception;

    /** A publisher to {@code exchange} with {@code routingKey}, without confirms. */
    Sender senderToExchange(String exchange, String routingKey, Stats stats) throws Exception;

    /** Consumes {@code queue}; {@code prefetch} > 0 means manual acknowledgement, each message acked. */
    AutoCloseable consume(String queue, int prefetch, Consumer<byte[]> onMessage) throws Exception;

    /**
     * Subscribes to {@code exchange} with {@code pattern} through a private (exclusive, auto-delete) queue
     * of its own, with automatic acknowledgement.
     */
    AutoCloseable subscribe(String exchange, String pattern, Consumer<byte[]> onMessage) throws Exception;

    /**
     * The messages the system holds for consumers right now, summed over what this scenario declared:
     * ready and unacknowledged messages in queues or stream consumers.
     */
    long backlog() throws Exception;

    /** Messages held in this process's clients instead of the server (core NATS subscribers); usually 0. */
    default long clientBacklog() {
        return 0;
    }

    /** Deletes what was declared and closes every connection. */
    @Override
    void close() throws IOException;

    /** Publishes; one thread per sender. */
    interface Sender extends AutoCloseable {
        /**
         * Sends one message; may block when the unconfirmed window or the send buffer is full (that is the
         * backpressure the scenario measures). Counts it in the stats, and its confirm when it comes.
         */
        void send(byte[] payload, boolean persistent) throws Exception;

        @Override
        void close() throws IOException;
    }
}
