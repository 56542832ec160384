package io.relais.bridge;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
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
        // Manual acknowledgement in both modes, so that the prefetch bounds what RabbitMQ pushes; at most once
        // acknowledges on receipt.
        boolean ackOnReceipt = !link.atLeastOnce();
        ch.basicConsume(queue, false, "relais-bridge." + link.name(), new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                long deliveryTag = envelope.getDeliveryTag();
                if (ackOnReceipt) {
                    settle(() -> ch.basicAck(deliveryTag, false));
                }
                Inbound.Settler settler = ackOnReceipt ? Inbound.NONE : new Inbound.Settler() {
                    @Override
                    public void ack() {
                        settle(() -> ch.basicAck(deliveryTag, false));
                    }

                    @Override
                    public void requeue() {
                        settle(() -> ch.basicNack(deliveryTag, false, true));
                    }
                };
                RelaisEnds.hand(inbox, counters, new Inbound(envelope.getRoutingKey(),
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

    /**
     * Publishing to RabbitMQ with publisher confirms, on a channel of its own (one per link). A channel that
     * RabbitMQ closes (a channel-level error such as a missing exchange) is replaced on the next publish;
     * connection failures are repaired by amqp-client's recovery. Publishes waiting for a confirm when the
     * channel goes away fail, so that their batch is sent again.
     */
    static Destination destination(Connection connection) {
        return new Destination() {
            private final ConcurrentNavigableMap<Long, CompletableFuture<Void>> outstanding =
                    new ConcurrentSkipListMap<>();
            private Channel ch;

            private Channel channel() throws IOException {
                if (ch == null || !ch.isOpen()) {
                    failAll(outstanding, "RabbitMQ channel replaced");
                    Channel c = connection.createChannel();
                    c.confirmSelect();
                    c.addConfirmListener((tag, multiple) -> complete(outstanding, tag, multiple, null),
                            (tag, multiple) -> complete(outstanding, tag, multiple,
                                    "RabbitMQ refused the message (nack)"));
                    c.addShutdownListener(cause -> failAll(outstanding, "RabbitMQ channel closed: "
                            + cause.getMessage()));
                    if (c instanceof Recoverable r) {
                        r.addRecoveryListener(new RecoveryListener() {
                            @Override
                            public void handleRecovery(Recoverable recoverable) {
                                failAll(outstanding, "RabbitMQ connection recovered");
                            }

                            @Override
                            public void handleRecoveryStarted(Recoverable recoverable) {
                                failAll(outstanding, "RabbitMQ connection lost");
                            }
                        });
                    }
                    ch = c;
                }
                return ch;
            }

            @Override
            public synchronized CompletableFuture<Void> publish(String exchange, String routingKey, Inbound m,
                                                                String origin, boolean confirmed) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                AMQP.BasicProperties props = PropertyMapping.toAmqp(m.properties(), m.persistent(), origin);
                long seq = -1;
                try {
                    Channel c = channel();
                    seq = c.getNextPublishSeqNo();
                    if (confirmed) {
                        outstanding.put(seq, f);
                    }
                    c.basicPublish(exchange, routingKey, props, m.payload());
                    if (!confirmed) {
                        f.complete(null);
                    }
                } catch (IOException | RuntimeException e) {
                    if (seq >= 0) {
                        outstanding.remove(seq);
                    }
                    f.completeExceptionally(e);
                }
                return f;
            }
        };
    }

    private static void complete(ConcurrentNavigableMap<Long, CompletableFuture<Void>> outstanding, long tag,
                                 boolean multiple, String failure) {
        // Remove exactly what is completed, one entry at a time: a publish may add entries meanwhile.
        if (!multiple) {
            finish(outstanding.remove(tag), failure);
            return;
        }
        Map.Entry<Long, CompletableFuture<Void>> e;
        while ((e = outstanding.firstEntry()) != null && e.getKey() <= tag) {
            if (outstanding.remove(e.getKey(), e.getValue())) {
                finish(e.getValue(), failure);
            }
        }
    }

    private static void finish(CompletableFuture<Void> f, String failure) {
        if (f == null) {
            return;
        }
        if (failure == null) {
            f.complete(null);
        } else {
            f.completeExceptionally(new IOException(failure));
        }
    }

    private static void failAll(ConcurrentNavigableMap<Long, CompletableFuture<Void>> outstanding, String why) {
        complete(outstanding, Long.MAX_VALUE, true, why);
    }
}
