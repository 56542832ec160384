package io.relais.client.examples;

import io.relais.client.Delivery;
import io.relais.client.RelaisClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Sends a request to {@code text.upper} and prints the reply. Run: {@code RpcClientExample [HOST:PORT]}. */
public final class RpcClientExample {
    private RpcClientExample() {
    }

    public static void main(String[] args) {
        System.out.println(run(args.length > 0 ? args[0] : "127.0.0.1:7420", "hello"));
    }

    /** The reply to {@code text}. */
    public static String run(String server, String text) {
        try (RelaisClient client = RelaisClient.builder().server(server).connect()) {
            Delivery reply = client.request("text.upper", text.getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(5)).join();
            return reply.payloadAsString();
        }
    }
}
