package io.relais.cli;

import io.relais.client.Delivery;
import io.relais.client.MessageHandler;
import io.relais.client.RelaisClient;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

/**
 * One consumer session of the crash test: a manual-ack subscription to a queue of numbered messages, from
 * subscribe until it is cancelled or the broker dies. It records each delivery in the
 * {@link DeliveryLedger}, checks that the deliveries not flagged redelivered come in strictly increasing
 * order (queue order), then acknowledges, remembering what it acked.
 *
 * <p>Threads: {@link #onMessage} runs on the client's handler thread, the other methods on the test
 * thread; the session's state is guarded by {@code this}.
 */
final class ConsumerSession implements MessageHandler {
    private final String name;
    private final DeliveryLedger ledger;
    private final BitSet acked = new BitSet();
    private long lastFresh;
    private long received;
    private Subscription subscription;

    private ConsumerSession(String name, DeliveryLedger ledger) {
        this.name = name;
        this.ledger = ledger;
    }

    /** Subscribes to {@code queue} with manual acks and the given prefetch, waiting at most {@code timeout}. */
    static ConsumerSession subscribe(RelaisClient client, String queue, int prefetch, String name,
            DeliveryLedger ledger, Duration timeout) throws Exception {
        ConsumerSession session = new ConsumerSession(name, ledger);
        Subscription s = client.subscribeQueue(queue, SubscribeOptions.defaults().manualAck(true).prefetch(prefetch),
                session).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        synchronized (session) {
            session.subscription = s;
        }
        return session;
    }

    @Override
    public void onMessage(Delivery delivery) {
        long n;
        try {
            n = Long.parseLong(delivery.payloadAsString());
        } catch (NumberFormatException e) {
            ledger.violation(name + ": unexpected payload '" + delivery.payloadAsString() + "'");
            delivery.ack();
            return;
        }
        synchronized (this) {
            received++;
            ledger.delivered(name, n, delivery.redelivered());
            if (!delivery.redelivered()) {
                if (n <= lastFresh) {
                    ledger.violation(name + ": " + n + " (redelivered=false) came after " + lastFresh);
                }
                lastFresh = n;
            }
            acked.set(Math.toIntExact(n));
        }
        delivery.ack();
    }

    /** Ends the subscription; deliveries already on their way are still recorded and acked. */
    void cancel(Duration timeout) throws Exception {
        Subscription s;
        synchronized (this) {
            s = subscription;
        }
        s.cancel().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    synchronized long received() {
        return received;
    }

    /** The numbers acked so far (acks sent, not necessarily processed by the broker). */
    synchronized BitSet acked() {
        return (BitSet) acked.clone();
    }

    @Override
    public String toString() {
        return name;
    }
}
