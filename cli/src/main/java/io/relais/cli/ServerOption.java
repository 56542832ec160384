package io.relais.cli;

import io.relais.client.ConnectionEvent;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import io.relais.client.TlsOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Option;

/**
 * The connection options shared by every client command ({@code --server}, {@code --user}, {@code --password},
 * {@code --vhost}, {@code --tls}, {@code --cacert}, {@code --cert}, {@code --key}, {@code --config}), and how
 * to connect with them. Each value comes from the command line, else (the password) from
 * {@value #PASSWORD_VARIABLE}, else from the {@code client:} section of the configuration file
 * ({@link ClientDefaults}), else from the built-in default: 127.0.0.1:7420, user guest, password guest,
 * vhost "/", plaintext.
 *
 * <p>TLS is on with {@code --tls}, or when a CA file or a client certificate is given; with a client
 * certificate the client authenticates with EXTERNAL when the broker offers it.
 *
 * <p>Filled in by picocli on the command's thread, then read there.
 */
final class ServerOption {
    /** The environment variable read for the password when {@code --password} is not given. */
    static final String PASSWORD_VARIABLE = "RELAIS_PASSWORD";
    static final String DEFAULT_SERVER = "127.0.0.1:7420";
    static final String DEFAULT_USER = "guest";
    static final String DEFAULT_PASSWORD = "guest";

    @Option(names = "--server", paramLabel = "HOST:PORT", description = "Broker address (default: client.server "
            + "of the configuration file, else " + DEFAULT_SERVER + ").")
    String server;

    @Option(names = "--user", description = "User name (default: client.user of the configuration file, else "
            + DEFAULT_USER + ").")
    String user;

    @Option(names = "--password", description = "Password (default: $" + PASSWORD_VARIABLE + ", else "
            + DEFAULT_PASSWORD + "). Prefer the variable: other users can see a command line.")
    String password;

    @Option(names = "--vhost", defaultValue = "/", description = "Virtual host to work in (default: ${DEFAULT-VALUE}).")
    String vhost;

    @Option(names = "--tls", description = "Connect over TLS (also implied by --cacert or --cert).")
    Boolean tls;

    @Option(names = "--cacert", paramLabel = "FILE", description = "PEM file of the CA (or certificate) to trust "
            + "for the broker's certificate (default: the JDK's authorities).")
    Path cacert;

    @Option(names = "--cert", paramLabel = "FILE", description = "Client certificate chain (PEM) for mutual TLS; "
            + "the broker then names the user from it (EXTERNAL) when it offers that.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "The client certificate's private key (PEM, PKCS#8).")
    Path key;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file whose client: section holds "
            + "defaults for these options, and whose bridge: section relais bridge reads (default: $"
            + ClientDefaults.CONFIG_VARIABLE + ", else config/relais.yaml of this Relais directory, if present).")
    Path config;

    /** The environment; a field so that tests can give their own. */
    Map<String, String> environment = System.getenv();
    private ClientDefaults defaults;

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

    /** The configuration file in use (for the bridge's {@code bridge:} section too), or null. */
    Path configFile() {
        return defaults().file();
    }

    /** The broker address to connect to. */
    String server() {
        return first(server, defaults().server(), DEFAULT_SERVER);
    }

    /** The user name. */
    String user() {
        return first(user, defaults().user(), DEFAULT_USER);
    }

    /** The password: --password, else the environment variable, else the default. */
    String password() {
        return first(password, environment.get(PASSWORD_VARIABLE), DEFAULT_PASSWORD);
    }

    /** The TLS options, or null for plaintext. */
    TlsOptions tlsOptions() {
        ClientDefaults d = defaults();
        Path ca = cacert != null ? cacert : d.cacert();
        Path certificate = cert != null ? cert : d.cert();
        Path privateKey = key != null ? key : d.key();
        boolean on = Boolean.TRUE.equals(tls) || (tls == null && d.tls()) || ca != null || certificate != null;
        if (!on) {
            return null;
        }
        if ((certificate == null) != (privateKey == null)) {
            throw new IllegalArgumentException(certificate == null ? "--key needs --cert (the certificate of that key)"
                    : "--cert needs --key (the certificate's private key, PEM)");
        }
        TlsOptions options = ca != null ? TlsOptions.trustPem(ca) : TlsOptions.systemTrust();
        return certificate == null ? options : options.withClientCertificate(certificate, privateKey);
    }

    /** A client builder with every connection option applied; the bridge adds its own. */
    RelaisClient.Builder builder() {
        RelaisClient.Builder b = RelaisClient.builder()
                .server(server())
                .username(user())
                .password(password())
                .vhost(vhost)
                .clientName("relais-cli")
                .connectTimeout(Duration.ofSeconds(5));
        TlsOptions options = tlsOptions();
        return options == null ? b : b.tls(options);
    }

    /** The {@code client:} section of the configuration file in use (loaded once). */
    ClientDefaults defaults() {
        if (defaults == null) {
            defaults = ClientDefaults.load(config, environment);
        }
        return defaults;
    }

    private static String first(String given, String configured, String builtIn) {
        return given != null ? given : configured != null ? configured : builtIn;
    }
}
