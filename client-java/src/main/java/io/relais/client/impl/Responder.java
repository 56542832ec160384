package io.relais.client.impl;

import io.relais.client.Delivery;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.Reply;
import io.relais.client.RequestHandler;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The responding side of request/reply (PROTOCOL.md section 8) for one client: consumes the requests of a
 * pattern from a queue shared by every responder of that pattern, runs the {@link RequestHandler}, publishes
 * its reply to the request's {@code reply_to} with the request's {@code correlation_id}, then acknowledges
 * the request.
 *
 * <p>The queue is {@code rpc.<pattern>}: not durable, not exclusive, auto-delete (it goes away with its last
 * responder), bound to the default exchange with the pattern, consumed with manual ack and a prefetch of
 * {@value #PREFETCH}, so that responders on several connections share the requests round-robin and a
 * crashed responder's unanswered requests are redelivered. It uses only the public {@link RelaisClient}
 * methods of the client it is given, so it works over any implementation of that interface.
 *
 * <p>Thread-safe and stateless beyond the client: any thread may call {@link #serve}; requests are handled on
 * the client's handler executor.
 */
public final class Responder {
    private static final Logger LOG = LoggerFactory.getLogger(Responder.class);

    /** Start of the name of the queue shared by the responders of one pattern; the pattern follows. */
    public static final String QUEUE_PREFIX = "rpc.";
    /** Requests handed to one responder and not yet answered, at most. */
    public static final int PREFETCH = 16;

    private final RelaisClient client;

    /** @param client the client to consume requests and publish replies through */
    public Responder(RelaisClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** The name of the queue shared by the responders of {@code pattern}. */
    public static String queueName(String pattern) {
        return QUEUE_PREFIX + pattern;
    }

    /** See {@link RelaisClient#reply(String, RequestHandler)}. */
    public CompletableFuture<Subscription> serve(String pattern, RequestHandler handler) {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(handler, "handler");
        String queue = queueName(pattern);
        SubscribeOptions options = SubscribeOptions.defaults().manualAck(true).prefetch(PREFETCH);
        return client.declareQueue(QueueDeclaration.named(queue).autoDelete(true))
                .thenCompose(declared -> client.bind(queue, "", pattern))
                .thenCompose(bound -> client.subscribeQueue(queue, options, request -> answer(request, handler)));
    }

    /** Handles one request; on the handler executor. */
    private void answer(Delivery request, RequestHandler handler) {
        String replyTo = request.properties().replyTo();
        if (replyTo == null) {
            LOG.warn("request with routing key '{}' has no reply_to; acknowledged and ignored", request.routingKey());
            request.ack();
            return;
        }
        if (!client.isOpen()) {
            LOG.debug("{} not handled: the client is closing (the broker requeues it)", request);
            return;
        }
        Reply reply;
        try {
            reply = handler.handle(request);
        } catch (Exception e) {
            LOG.warn("request handler failed on {}; request rejected", request, e);
            request.reject(false);
            return;
        }
        if (reply == null) {
            request.reject(false);
            return;
        }
        Message message = Message.builder(replyTo)
                .payload(reply.payload())
                .properties(reply.properties().toBuilder()
                        .correlationId(request.properties().correlationId()).build())
                .build();
        client.publish(message).whenComplete((v, e) -> {
            if (e == null) {
                request.ack();
            } else {
                LOG.warn("reply to '{}' not sent ({}); request rejected", replyTo, e.getMessage());
                request.reject(false);
            }
        });
    }
}
