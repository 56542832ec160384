package io.relais.client.examples;

import io.relais.client.RelaisClient;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Subscribes to a wildcard pattern and prints what arrives. Run: {@code ConsumerExample [HOST:PORT]}, then
 * publish to {@code orders.<anything>}.
 */
public final class ConsumerExample {
    private ConsumerExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        run(args.length > 0 ? args[0] : "127.0.0.1:7420", 3).forEach(System.out::println);
    }

    /** Receives {@code count} messages published under {@code orders.#} (at most 30 s) and returns them. */
    public static List<String> run(String server, int count) throws InterruptedException {
        List<String> received = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(count);
        try (RelaisClient client = RelaisClient.builder().server(server).connect()) {
            client.subscribe("", "orders.#", delivery -> {
                received.add(delivery.routingKey() + ": " + delivery.payloadAsString());
                done.countDown();
            }).join();
            if (!done.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("received only " + received.size() + " of " + count);
            }
        }
        return received;
    }
}
