package io.relais.broker;

import io.relais.broker.config.BrokerConfig;
import io.relais.broker.core.access.Administrators;
import io.relais.broker.store.StoreFaults;
import io.relais.client.RelaisClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** A real broker on an ephemeral port with a temporary data directory, and clients connected to it. */
public final class BrokerFixture implements AutoCloseable {
    private final Path dataDir;
    private final UnaryOperator<BrokerConfig> customize;
    private final StoreFaults faults;
    private final Administrators administrators;
    private Broker broker;
    private final List<RelaisClient> clients = new ArrayList<>();

    public BrokerFixture() {
        this(c -> c);
    }

    public BrokerFixture(UnaryOperator<BrokerConfig> customize) {
        this(customize, StoreFaults.NONE);
    }

    /** A broker whose stores suffer {@code faults}. */
    public BrokerFixture(UnaryOperator<BrokerConfig> customize, StoreFaults faults) {
        this(customize, faults, null);
    }

    /** A broker whose administrators are {@code administrators} (null: the configured users, as {@link Broker#start}). */
    public BrokerFixture(UnaryOperator<BrokerConfig> customize, StoreFaults faults, Administrators administrators) {
        this.faults = faults;
        this.administrators = administrators;
        try {
            dataDir = Files.createTempDirectory("relais-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.customize = customize;
        broker = start();
    }

    private Broker start() {
        return administrators == null ? Broker.start(config(), faults) : Broker.start(config(), faults, administrators);
    }

    /** The configuration the broker runs with. */
    public BrokerConfig config() {
        return customize.apply(BrokerConfig.defaults().withPort(0).withDataDir(dataDir));
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Closes every client and stops the broker cleanly, then starts a new one on the same data directory. */
    public void restart() {
        restart(() -> { });
    }

    /** {@link #restart()}, running {@code whileStopped} after the old broker stopped and before the new one starts. */
    public void restart(Runnable whileStopped) {
        for (RelaisClient c : clients) {
            c.close();
        }
        clients.clear();
        broker.close();
        whileStopped.run();
        broker = start();
    }

    public Broker broker() {
        return broker;
    }

    public int port() {
        return broker.port();
    }

    /** A new connected client, closed with the fixture. */
    public RelaisClient client() {
        return client(b -> b);
    }

    /** A new connected client as {@code user} with password {@code password} in {@code vhost}, closed with the fixture. */
    public RelaisClient client(String user, String password, String vhost) {
        return client(b -> b.username(user).password(password).vhost(vhost));
    }

    /** A new client connected with the builder {@code options} makes of the default one, closed with the fixture. */
    public RelaisClient client(UnaryOperator<RelaisClient.Builder> options) {
        RelaisClient c = options.apply(RelaisClient.builder().host("127.0.0.1").port(port()).clientName("test")
                .requestTimeout(Duration.ofSeconds(10))).connect();
        clients.add(c);
        return c;
    }

    @Override
    public void close() {
        for (RelaisClient c : clients) {
            c.close();
        }
        broker.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
