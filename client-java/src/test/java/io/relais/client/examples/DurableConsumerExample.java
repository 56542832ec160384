package io.relais.client.examples;

import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.SubscribeOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Consumes a durable queue with manual acknowledgements: a message is removed only once processed, and
 * survives a broker restart until then. Run: {@code DurableConsumerExample [HOST:PORT]}.
 */
public final class DurableConsumerExample {
    private DurableConsumerExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        String server = args.length > 0 ? args[0] : "127.0.0.1:7420";
        declare(server);
        run(server, 3).forEach(System.out::println);
    }

    /** Declares the durable queue {@code orders-archive}, bound to every order. Idempotent. */
    public static void declare(String server) {
        try (RelaisClient client = RelaisClient.builder().server(server).connect()) {
            client.declareQueue(QueueDeclaration.named("orders-archive").durable(true)).join();
            client.bind("orders-archive", "", "orders.#").join();
        }
    }

    /** Processes and acknowledges {@code count} messages from {@code orders-archive}. */
    public static List<String> run(String server, int count) throws InterruptedException {
        List<String> processed = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(count);
        try (RelaisClient client = RelaisClient.builder().server(server).connect()) {
            SubscribeOptions options = SubscribeOptions.defaults().manualAck(true).prefetch(100);
            client.subscribeQueue("orders-archive", options, delivery -> {
                processed.add(delivery.payloadAsString()); // do the work first...
                delivery.ack();                            // ...then acknowledge it
                done.countDown();
            }).join();
            if (!done.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("processed only " + processed.size() + " of " + count);
            }
        }
        return processed;
    }
}
