package io.relais.cli;

import io.relais.client.ConnectionEvent;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Option;

/**
 * The connection options shared by every client command ({@code --server HOST:PORT}, {@code --user},
 * {@code --password}, {@code --vhost}), and how to connect with them.
 */
final class ServerOption {
    @Option(names = "--server", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7420",
            description = "Broker address (default: ${DEFAULT-VALUE}).")
    String server;

    @Option(names = "--user", defaultValue = "guest", description = "User name (default: ${DEFAULT-VALUE}).")
    String user;

    @Option(names = "--password", defaultValue = "guest", description = "Password (default: ${DEFAULT-VALUE}).")
    String password;

    @Option(names = "--vhost", defaultValue = "/", description = "Virtual host to work in (default: ${DEFAULT-VALUE}).")
    String vhost;

    /** Connects for a short command: a lost connection ends it (no reconnect). */
    RelaisClient connect() {
        return builder().reconnect(ReconnectPolicy.disabled()).connect();
    }

    /**
     * Connects for a long-running command ({@code sub}, {@code reply}): a lost connection is re-established
     * with the client's default backoff and subscriptions are made again, with progress on standard error.
     *
     * @param gaveUp completed when the client closes for good (the command should then end)
     */
    RelaisClient connectReconnecting(CompletableFuture<ConnectionEvent> gaveUp) {
        RelaisClient client = builder().connect();
        client.onConnectionEvent(event -> {
            switch (event.type()) {
                case DISCONNECTED -> System.err.println("relais: " + event.cause().getMessage() + "; reconnecting...");
                case RESUBSCRIBED -> System.err.println("relais: reconnected; subscribed again");
                case CLOSED -> gaveUp.complete(event);
                default -> {
                }
            }
        });
        return client;
    }

    private RelaisClient.Builder builder() {
        return RelaisClient.builder()
                .server(server)
                .username(user)
                .password(password)
                .vhost(vhost)
                .clientName("relais-cli")
                .connectTimeout(Duration.ofSeconds(5));
    }
}
