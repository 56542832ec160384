package io.relais.bridge;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.RecoveryDelayHandler;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running bridge: a Relais client pair (one consuming, one publishing; both reconnect by themselves with
 * backoff and subscribe again) and a RabbitMQ connection pair (amqp-client's automatic recovery with
 * exponential backoff, which declares, binds and consumes again), and one {@link Link} per configured link.
 * Logs every link's counters every 10 s while they change.
 *
 * <p>Thread-safe: built by {@link #start}, stopped by {@link #close}.
 */
public final class Bridge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);

    private final RelaisClient relaisIn;
    private final RelaisClient relaisOut;
    private final Connection rabbitIn;
    private final Connection rabbitOut;
    private final Map<String, Link> links = new LinkedHashMap<>();
    private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "relais-bridge-counters");
        t.setDaemon(true);
        return t;
    });

    private Bridge(RelaisClient relaisIn, RelaisClient relaisOut, Connection rabbitIn, Connection rabbitOut) {
        this.relaisIn = relaisIn;
        this.relaisOut = relaisOut;
        this.rabbitIn = rabbitIn;
        this.rabbitOut = rabbitOut;
    }

    /**
     * Connects to Relais at {@code relaisServer} and to RabbitMQ, sets up every link and starts forwarding.
     *
     * @throws Exception if either side cannot be reached or a link cannot be set up
     */
    public static Bridge start(String relaisServer, BridgeConfig config) throws Exception {
        return start(relaisServer, "guest", "guest", config);
    }

    /** {@link #start(String, BridgeConfig)} as the given Relais user. */
    public static Bridge start(String relaisServer, String user, String password, BridgeConfig config)
            throws Exception {
        return start(RelaisClient.builder().server(relaisServer).username(user).password(password), config);
    }

    /**
     * {@link #start(String, BridgeConfig)} with the Relais side's connection as {@code relais} configures it
     * (server, credentials, TLS); the bridge sets its client name and reconnection. RabbitMQ over TLS with an
     * {@code amqps://} URI ({@link RabbitTls}).
     */
    public static Bridge start(RelaisClient.Builder relais, BridgeConfig config) throws Exception {
        ConnectionFactory factory = RabbitTls.factory(config);
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setRecoveryDelayHandler(new RecoveryDelayHandler.ExponentialBackoffDelayHandler(
                List.of(100L, 200L, 500L, 1000L, 2000L, 5000L)));
        relais.clientName("relais-bridge").reconnect(ReconnectPolicy.DEFAULT);
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            RelaisClient in = relais.connect();
            opened.add(in);
            RelaisClient out = relais.connect();
            opened.add(out);
            Connection rin = factory.newConnection("relais-bridge-in");
            opened.add(rin);
            Connection rout = factory.newConnection("relais-bridge-out");
            opened.add(rout);
            Bridge bridge = new Bridge(in, out, rin, rout);
            opened.add(0, bridge::closeLinks);
            Destination toRelais = RelaisEnds.destination(out);
            for (LinkConfig lc : config.links()) {
                LinkCounters counters = new LinkCounters();
                BlockingQueue<Inbound> inbox = Link.inboxFor(lc);
                Link link = new Link(lc, inbox,
                        lc.direction() == Direction.TO_RABBITMQ ? RabbitEnds.destination(rout) : toRelais, counters);
                bridge.links.put(lc.name(), link);
                link.start();
                if (lc.direction() == Direction.TO_RABBITMQ) {
                    RelaisEnds.consume(in, lc, inbox, counters);
                } else {
                    RabbitEnds.consume(rin, lc, inbox, counters);
                }
                LOG.info("bridge link {}", lc.describe());
            }
            bridge.reporter.scheduleAtFixedRate(bridge::report, 10, 10, TimeUnit.SECONDS);
            return bridge;
        } catch (Exception e) {
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // Start-up already failed.
                }
            }
            throw e;
        }
    }

    private final Map<String, String> lastReport = new LinkedHashMap<>();

    private void report() {
        for (Map.Entry<String, Link> e : links.entrySet()) {
            String now = e.getValue().counters().toString();
            if (!now.equals(lastReport.put(e.getKey(), now))) {
                LOG.info("bridge link {}: {}", e.getKey(), now);
            }
        }
    }

    /** Every link's counters, by link name. */
    public Map<String, LinkCounters> counters() {
        Map<String, LinkCounters> m = new LinkedHashMap<>();
        links.forEach((name, link) -> m.put(name, link.counters()));
        return m;
    }

    /** Stops forwarding (what is in flight goes back to its source) and closes the connections. */
    @Override
    public void close() throws IOException {
        reporter.shutdownNow();
        // Sources first: what they delivered and was not acknowledged goes back to their queues.
        relaisIn.close();
        if (rabbitIn.isOpen()) {
            rabbitIn.close((int) Duration.ofSeconds(5).toMillis());
        }
        closeLinks();
        report();
        relaisOut.close();
        if (rabbitOut.isOpen()) {
            rabbitOut.close((int) Duration.ofSeconds(5).toMillis());
        }
    }

    private void closeLinks() {
        reporter.shutdownNow();
        for (Link l : links.values()) {
            l.close();
        }
    }
}
