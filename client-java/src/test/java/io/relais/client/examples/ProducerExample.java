package io.relais.client.examples;

import io.relais.client.Message;
import io.relais.client.RelaisClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Publishes a few orders with publisher confirms. Run: {@code ProducerExample [HOST:PORT]}. */
public final class ProducerExample {
    private ProducerExample() {
    }

    public static void main(String[] args) {
        System.out.println("confirmed " + run(args.length > 0 ? args[0] : "127.0.0.1:7420") + " orders");
    }

    /** Publishes three persistent orders and returns how many the broker confirmed. */
    public static int run(String server) {
        try (RelaisClient client = RelaisClient.builder().server(server).connect()) {
            List<CompletableFuture<Void>> confirms = new ArrayList<>();
            for (String region : new String[] {"eu", "us", "asia"}) {
                Message order = Message.builder("orders." + region)
                        .payload("order from " + region)
                        .persistent(true)
                        .build();
                confirms.add(client.publishConfirmed(order)); // completes when the broker has it
            }
            CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).join();
            return confirms.size();
        }
    }
}
