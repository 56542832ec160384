package io.relais.cli;

import io.relais.bridge.Bridge;
import io.relais.bridge.BridgeConfig;
import io.relais.broker.Broker;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.config.ConfigException;
import io.relais.broker.config.ConfigLoader;
import io.relais.broker.config.TlsConfig;
import io.relais.client.RelaisClient;
import io.relais.client.TlsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code relais broker}: runs a broker in the foreground until SIGTERM or SIGINT, then shuts down
 * gracefully. Without {@code --config} it reads {@code config/relais.yaml} from the Relais
 * directory if that file exists, else uses the built-in defaults (the same values).
 */
@Command(name = "broker", mixinStandardHelpOptions = true, description = "Run a broker in the foreground.")
final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file "
            + "(default: config/relais.yaml of this Relais directory, if present).")
    Path config;

    @Option(names = "--port", description = "TCP port, overrides server.port (0: any free port).")
    Integer port;

    @Option(names = "--http-port", paramLabel = "N", description = "Port of the HTTP admin API, health checks and web "
            + "UI, overrides http.port; 0 turns the HTTP listener off.")
    Integer httpPort;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory, overrides data-dir.")
    Path dataDir;

    @Option(names = "--tls-port", paramLabel = "N", description = "TLS port, overrides tls.port (0: any free port).")
    Integer tlsPort;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Server certificate chain (PEM), overrides "
            + "tls.certificate.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "Server private key (PEM, PKCS#8), overrides tls.key.")
    Path tlsKey;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "CA certificates (PEM) that client certificates "
            + "are checked against (they are then asked for), overrides tls.ca.")
    Path tlsCa;

    @Option(names = "--tls-only", description = "No plaintext listener: TLS on the TLS port only, overrides tls.only.")
    boolean tlsOnly;

    @Override
    public Integer call() throws InterruptedException {
        BrokerConfig cfg;
        BridgeConfig bridgeConfig;
        try {
            cfg = loadConfig();
            bridgeConfig = configFile() == null ? null : BridgeConfig.load(configFile());
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("relais: configuration error: " + e.getMessage());
            return 1;
        }
        Broker broker;
        try {
            Files.createDirectories(cfg.dataDir());
            AuditFile.install(cfg.audit(), cfg.dataDir());
        } catch (IOException e) {
            System.err.println("relais: cannot start: cannot create the data directory " + cfg.dataDir() + ": " + e);
            return 1;
        }
        try {
            broker = Broker.start(cfg);
        } catch (ConfigException e) {
            System.err.println("relais: cannot start: " + e.getMessage());
            return 1;
        }
        Bridge bridge = null;
        if (bridgeConfig != null && !bridgeConfig.links().isEmpty()) {
            try {
                // The bridge logs in as the broker's internal user relais.bridge: a random password made for this
                // run and held in memory only, accepted only over loopback (no password of the configuration).
                Broker.InternalLogin login = broker.internalLogin();
                RelaisClient.Builder self = RelaisClient.builder().server("127.0.0.1:" + broker.port())
                        .username(login.user()).password(login.password());
                if (cfg.tls().enabled() && cfg.tls().only()) {
                    // Its own certificate is what it trusts, whatever names it carries: it connects to itself.
                    self.tls(TlsOptions.trustPem(cfg.tls().certificate()).withoutHostnameVerification());
                }
                bridge = Bridge.start(self, bridgeConfig);
                // Its link counters join the broker's metrics (relais_bridge_*{link="..."}).
                Bridge links = bridge;
                broker.metrics().registerBridge(visitor -> links.counters().forEach((name, c) -> visitor.link(name,
                        c.forwarded(), c.inFlight(), c.redelivered(), c.loopsDropped(), c.errors())));
            } catch (Exception e) {
                System.err.println("relais: cannot start the bridge (bridge: section of " + configFile() + "): " + e);
                broker.close();
                return 1;
            }
        }
        Bridge runningBridge = bridge;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (runningBridge != null) {
                try {
                    runningBridge.close();
                } catch (Exception e) {
                    System.err.println("relais: the bridge did not stop cleanly: " + e);
                }
            }
            broker.close();
            stopped.countDown();
        }, "relais-shutdown"));
        // SIGHUP is caught even without TLS, so that a reload (systemctl reload) never stops the broker.
        ReloadSignal.onHangUp(() -> {
            if (broker.tlsPort() < 0) {
                System.err.println("relais: SIGHUP received; nothing to reload (no TLS listener)");
                return;
            }
            try {
                broker.reloadTls();
            } catch (ConfigException e) {
                System.err.println("relais: TLS certificates not reloaded, the old ones stay in use: "
                        + e.getMessage());
            }
        });
        String listeners = cfg.tls().enabled() && cfg.tls().only() ? "" : broker.host() + ":" + broker.port();
        if (broker.tlsPort() >= 0) {
            listeners += (listeners.isEmpty() ? "" : " and ") + broker.host() + ":" + broker.tlsPort() + " (TLS)";
        }
        if (broker.httpPort() >= 0) {
            listeners += ", " + (cfg.http().tls() ? "HTTPS" : "HTTP") + " on " + cfg.http().host() + ":"
                    + broker.httpPort();
        }
        System.err.println("Relais broker listening on " + listeners + " (pid " + ProcessHandle.current().pid()
                + "; Ctrl-C to stop" + (broker.tlsPort() >= 0 ? ", kill -HUP to reload the TLS certificates" : "") + ")");
        stopped.await();
        return 0;
    }

    /** The configuration file in use: --config, or config/relais.yaml if it exists, or null. */
    private Path configFile() {
        if (config != null) {
            return config;
        }
        Path defaultFile = Path.of(System.getProperty("relais.home", ".")).resolve("config").resolve("relais.yaml");
        return Files.isRegularFile(defaultFile) ? defaultFile : null;
    }

    private BrokerConfig loadConfig() {
        Path file = configFile();
        BrokerConfig cfg = file != null ? ConfigLoader.load(file) : BrokerConfig.defaults();
        if (port != null) {
            if (port < 0 || port > 65535) {
                throw new ConfigException("--port must be between 0 and 65535, found " + port);
            }
            cfg = cfg.withPort(port);
        }
        if (dataDir != null) {
            cfg = cfg.withDataDir(dataDir);
        }
        TlsConfig t = cfg.tls();
        if (tlsPort != null && (tlsPort < 0 || tlsPort > 65535)) {
            throw new ConfigException("--tls-port must be between 0 and 65535, found " + tlsPort);
        }
        if (tlsPort != null || tlsCert != null || tlsKey != null || tlsCa != null || tlsOnly) {
            t = new TlsConfig(tlsPort != null ? tlsPort : t.port(), tlsCert != null ? tlsCert : t.certificate(),
                    tlsKey != null ? tlsKey : t.key(), tlsCa != null ? tlsCa : t.ca(), tlsOnly || t.only(),
                    t.clientAuth(), t.externalUser(), t.provider());
            ConfigLoader.checkTls(t, "the command line (--tls-port, --tls-cert, --tls-key, --tls-ca, --tls-only)");
            cfg = cfg.withTls(t);
        }
        if (httpPort != null) {
            if (httpPort < 0 || httpPort > 65535) {
                throw new ConfigException("--http-port must be between 0 and 65535, found " + httpPort);
            }
            // 0 turns the listener off here (in the file, http.enabled: false does; http.port: 0 is ephemeral).
            cfg = cfg.withHttp(httpPort == 0 ? cfg.http().withEnabled(false) : cfg.http().withEnabled(true)
                    .withPort(httpPort));
        }
        ConfigLoader.checkHttp(cfg.http(), cfg.tls(), "the command line (--http-port, --tls-port)");
        return cfg;
    }
}
