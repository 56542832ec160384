package io.relais.cli;

import io.relais.broker.Broker;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.config.ConfigException;
import io.relais.broker.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
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

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory, overrides data-dir.")
    Path dataDir;

    @Override
    public Integer call() throws InterruptedException {
        BrokerConfig cfg;
        try {
            cfg = loadConfig();
        } catch (ConfigException e) {
            System.err.println("relais: configuration error: " + e.getMessage());
            return 1;
        }
        Broker broker;
        try {
            broker = Broker.start(cfg);
        } catch (ConfigException e) {
            System.err.println("relais: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "relais-shutdown"));
        System.err.println("Relais broker listening on " + broker.host() + ":" + broker.port()
                + " (Ctrl-C to stop)");
        stopped.await();
        return 0;
    }

    private BrokerConfig loadConfig() {
        BrokerConfig cfg;
        if (config != null) {
            cfg = ConfigLoader.load(config);
        } else {
            Path home = Path.of(System.getProperty("relais.home", "."));
            Path defaultFile = home.resolve("config").resolve("relais.yaml");
            cfg = Files.isRegularFile(defaultFile) ? ConfigLoader.load(defaultFile) : BrokerConfig.defaults();
        }
        if (port != null) {
            if (port < 0 || port > 65535) {
                throw new ConfigException("--port must be between 0 and 65535, found " + port);
            }
            cfg = cfg.withPort(port);
        }
        if (dataDir != null) {
            cfg = cfg.withDataDir(dataDir);
        }
        return cfg;
    }
}
