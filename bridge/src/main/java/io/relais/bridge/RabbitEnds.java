package io.relais.bridge;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The RabbitMQ ends of links over amqp-client with automatic recovery: consuming a link's source queue, and
 * publishing with confirms. Thread-safe: a publisher's channel is used under its own lock.
 */
final class RabbitEnds {
    private RabbitEnds() {
    }

    /** The source queue of a from-rabbitmq link, declared (unless given), bound and consumed. */
    static void consume(Connection connection, LinkConfig link, BlockingQueue<Inbound> inbox, LinkCounters counters)
            throws IOException {
        Channel ch = connection.createChannel();
        ch.basicQos(link.prefetch());
        String queue;
        if (link.sourceQueue() != null) {
            queue = link.sourceQueue();
        } else if (link.durable()) {
            queue = "relais-bridge." + link.name();
            ch.queueDeclare(queue, true, false, false, null);
            ch.queueBind(queue, link.sourceExchange(), link.sourcePattern());
        } else {
            queue = ch.queueDeclare().getQueue();
            ch.queueBind(queue, link.sourceExchange(), link.sourcePattern());
        }
        boolean autoAck = !link.atLeastOnce();
        ch.basicConsume(queue, autoAck, "relais-bridge." + link.name(), new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                long deliveryTag = envelope.getDeliveryTag();
                Inbound.Settler settler = autoAck ? Inbound.NONE : new Inbound.Settler() {
                    @Override
                    public void ack() {
                        settle(() -> ch.basicAck(deliveryTag, false));
                    }

                    @Override
                    public void requeue() {
                        settle(() -> ch.basicNack(deliveryTag, false, true));
                    }
                };
                counters.inFlight.incrementAndGet();
                RelaisEnds.putUninterruptibly(inbox, new Inbound(envelope.getRoutingKey(),
                        PropertyMapping.toRelais(properties), PropertyMapping.persistent(properties), body,
                        envelope.isRedeliver(), settler));
            }
        });
    }

    private interface ChannelCall {
        void run() throws IOException;
    }

    private static void settle(ChannelCall call) {
        try {
            call.run();
        } catch (IOException | RuntimeException e) {
            // The channel is gone; RabbitMQ delivers the message again on the recovered one.
        }
    }

    /** Publishing to RabbitMQ with publisher confirms on one channel. */
    static Destination destination(Connection connection) throws IOException {
        Channel ch = connection.createChannel();
        ch.confirmSelect();
        ConcurrentNavigableMap<Long, CompletableFuture<Void>> outstanding = new ConcurrentSkipListMap<>();
        ch.addConfirmListener((tag, multiple) -> complete(outstanding, tag, multiple, null),
                (tag, multiple) -> complete(outstanding, tag, multiple, "RabbitMQ refused the message (nack)"));
        ch.addShutdownListener(cause -> failAll(outstanding, "RabbitMQ channel closed: " + cause.getMessage()));
        if (ch instanceof com.rabbitmq.client.Recoverable r) {
            r.addRecoveryListener(new com.rabbitmq.client.RecoveryListener() {
                @Override
                public void handleRecovery(com.rabbitmq.client.Recoverable recoverable) {
                    failAll(outstanding, "RabbitMQ connection recovered; unconfirmed publishes are sent again");
                }

                @Override
                public void handleRecoveryStarted(com.rabbitmq.client.Recoverable recoverable) {
                    failAll(outstanding, "RabbitMQ connection lost");
                }
            });
        }
        return (exchange, routingKey, m, origin, confirmed) -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            AMQP.BasicProperties props = PropertyMapping.toAmqp(m.properties(), m.persistent(), origin);
            synchronized (ch) {
                long seq = ch.getNextPublishSeqNo();
                if (confirmed) {
                    outstanding.put(seq, f);
                }
                try {
                    ch.basicPublish(exchange, routingKey, props, m.payload());
                    if (!confirmed) {
                        f.complete(null);
                    }
                } catch (IOException | RuntimeException e) {
                    outstanding.remove(seq);
                    f.completeExceptionally(e);
                }
            }
            return f;
        };
    }

    private static void complete(ConcurrentNavigableMap<Long, CompletableFuture<Void>> outstanding, long tag,
                                 boolean multiple, String failure) {
        Map<Long, CompletableFuture<Void>> done = multiple ? outstanding.headMap(tag, true) : outstanding.subMap(tag,
                true, tag, true);
        for (CompletableFuture<Void> f : done.values()) {
            if (failure == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(new IOException(failure));
            }
        }
        done.clear();
    }

    private static void failAll(ConcurrentNavigableMap<Long, CompletableFuture<Void>> outstanding, String why) {
        complete(outstanding, Long.MAX_VALUE, true, why);
    }
}
