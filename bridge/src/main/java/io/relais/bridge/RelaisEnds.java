package io.relais.bridge;

import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import io.relais.protocol.Properties;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Relais ends of links: consuming a link's source queue, and publishing to a Relais exchange. The
 * clients reconnect by themselves and subscribe again. Thread-safe.
 */
final class RelaisEnds {
    private RelaisEnds() {
    }

    /** The source queue of a to-rabbitmq link, bound and consumed; deliveries go to {@code inbox}. */
    static Subscription consume(RelaisClient client, LinkConfig link, BlockingQueue<Inbound> inbox,
                                LinkCounters counters) {
        QueueDeclaration q = link.durable() ? QueueDeclaration.named("bridge." + link.name()).durable(true)
                : QueueDeclaration.serverNamed().exclusive(true).autoDelete(true);
        String queue = client.declareQueue(q).join().name();
        client.bind(queue, link.sourceExchange(), link.sourcePattern()).join();
        SubscribeOptions options = SubscribeOptions.defaults().manualAck(link.atLeastOnce())
                .prefetch(link.atLeastOnce() ? link.prefetch() : 0);
        return client.subscribeQueue(queue, options, d -> {
            Inbound.Settler settler = !link.atLeastOnce() ? Inbound.NONE : new Inbound.Settler() {
                @Override
                public void ack() {
                    d.ack();
                }

                @Override
                public void requeue() {
                    d.nack(true);
                }
            };
            hand(inbox, counters, new Inbound(d.routingKey(), d.properties(), d.persistent(), d.payload(),
                    d.redelivered(), settler));
        }).join();
    }

    /**
     * Hands a received message to its link. The inbox has room for two prefetch windows (one from a source
     * connection that was lost and one from its replacement); if it is still full after a second, the
     * message goes back to its source rather than block the delivery thread, which other links share.
     */
    static void hand(BlockingQueue<Inbound> inbox, LinkCounters counters, Inbound m) {
        counters.inFlight.incrementAndGet();
        boolean taken;
        try {
            taken = inbox.offer(m, 1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            taken = false;
        }
        if (!taken) {
            counters.inFlight.decrementAndGet();
            m.settler().requeue();
        }
    }

    /** Publishing to Relais. */
    static Destination destination(RelaisClient client) {
        return (exchange, routingKey, m, origin, confirmed) -> {
            Map<String, Object> headers = new LinkedHashMap<>();
            if (m.properties().headers() != null) {
                headers.putAll(m.properties().headers());
            }
            headers.put(PropertyMapping.ORIGIN_HEADER, origin);
            Properties p = m.properties().toBuilder().headers(headers).build();
            Message msg = Message.builder(routingKey).exchange(exchange).properties(p).payload(m.payload())
                    .persistent(m.persistent()).build();
            CompletableFuture<Void> f = confirmed ? client.publishConfirmed(msg) : client.publish(msg);
            return f;
        };
    }
}
