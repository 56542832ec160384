package io.relais.broker.conformance;

import io.relais.broker.BrokerFixture;
import io.relais.broker.config.BrokerConfig;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.ProtocolVersion;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The broker of one conformance test class, as a JUnit extension registered in a static field: it
 * starts a {@link BrokerFixture} before the class's first test and stops it after the last, and
 * closes after each test every connection the test opened through it. A test class constructor
 * (or test method) that takes a {@link Peer} gets a new connection in OPEN with every capability.
 *
 * <p>It also runs Netty's leak check once for the class ({@link LeakCheck}, whose recording detector
 * is installed when this class loads, before the class's first test touches a buffer): a leak
 * fails the class rather than the test that made it, and the suite does not pay LeakCheck's forced
 * garbage collections for each of its hundreds of tests.
 */
final class ConformanceBroker implements BeforeAllCallback, AfterEachCallback, AfterAllCallback, ParameterResolver {
    private static final LeakCheck LEAK_CHECK = new LeakCheck();

    private final UnaryOperator<BrokerConfig> customize;
    private final List<Peer> peers = new ArrayList<>();
    private BrokerFixture fixture;

    /** A broker with the default configuration. */
    ConformanceBroker() {
        this(c -> c);
    }

    /** A broker whose configuration is the default one changed by {@code customize}. */
    ConformanceBroker(UnaryOperator<BrokerConfig> customize) {
        this.customize = customize;
    }

    int port() {
        return fixture.port();
    }

    /** A new connection in AWAIT_HELLO, closed after the test. */
    Peer connect() throws IOException {
        return track(Peer.connect(port()));
    }

    /** A new connection in AWAIT_AUTH, closed after the test. */
    Peer awaitingAuth() throws IOException {
        return track(Peer.awaitingAuth(port()));
    }

    /** A new connection in OPEN with every capability, closed after the test. */
    Peer open() throws IOException {
        return track(Peer.open(port()));
    }

    /** A new connection in OPEN that asked for {@code capabilities}, closed after the test. */
    Peer open(List<String> capabilities) throws IOException {
        return track(Peer.open(port(), capabilities));
    }

    /** A new connection in OPEN with every capability, {@code heartbeatMillis} and a small receive buffer. */
    Peer openWithReceiveBuffer(int receiveBufferBytes, long heartbeatMillis) throws IOException {
        return track(Peer.openWithReceiveBuffer(port(), receiveBufferBytes, heartbeatMillis));
    }

    /** A new connection in OPEN with every capability that proposed {@code heartbeatMillis}. */
    Peer open(long heartbeatMillis) throws IOException {
        Peer p = track(Peer.connect(port()));
        p.hello(ProtocolVersion.V1_CAPABILITIES);
        p.auth(heartbeatMillis);
        return p;
    }

    private Peer track(Peer p) {
        peers.add(p);
        return p;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        fixture = new BrokerFixture(customize);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        for (Peer p : peers) {
            p.close();
        }
        peers.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        afterEach(context);
        fixture.close();
        LEAK_CHECK.afterEach(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Peer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        try {
            return open();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a connection to the broker on port " + port(), e);
        }
    }
}
