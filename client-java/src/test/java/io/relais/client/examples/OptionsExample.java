package io.relais.client.examples;

import io.relais.client.BlockingClient;
import io.relais.client.Delivery;
import io.relais.client.DisconnectedPublishes;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The reconnection options and the blocking form, as the README shows them. */
public final class OptionsExample {
    private OptionsExample() {
    }

    public static void main(String[] args) {
        System.out.println(run(args.length > 0 ? args[0] : "127.0.0.1:7420"));
    }

    /** Connects with the default reconnection options spelled out, and makes blocking calls; needs a text.upper responder. */
    public static String run(String server) {
        RelaisClient client = RelaisClient.builder().server(server)
                .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(10), 0.2)) // the default
                .whileDisconnected(DisconnectedPublishes.BUFFER, 10_000)                                     // the default
                .connect();
        client.onConnectionEvent(e -> System.err.println(e.type() + " " + e.connectionId()));
        try (client) {
            BlockingClient blocking = client.blocking(Duration.ofSeconds(5));
            blocking.declareQueue(QueueDeclaration.named("jobs"));
            blocking.publishConfirmed(Message.builder("jobs.resize").payload("photo-42").build());
            Delivery reply = blocking.request("text.upper", "hi".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2));
            return reply.payloadAsString();
        }
    }
}
