package io.relais.broker.net;

import io.netty.channel.Channel;
import io.relais.broker.config.BrokerConfig;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.FrameType;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.AuthResponse;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.Welcome;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The handshake of one connection (PROTOCOL.md 3.3): answers HELLO with WELCOME after choosing the
 * protocol version, the effective capabilities and the mechanisms this connection is offered, hands AUTH
 * and AUTH_RESPONSE to the connection's {@link Login} and agrees the heartbeat interval; afterwards it
 * answers what was negotiated.
 *
 * <p>It decides nothing about the connection's state: the {@link Session} gives it HELLO in
 * AWAIT_HELLO, AUTH and AUTH_RESPONSE in AWAIT_AUTH ({@link #expectedAuthFrame} says which), and opens the
 * connection (READY) when the future of {@link #auth} or {@link #respond} completes with true; false means a
 * challenge was sent and an AUTH_RESPONSE is awaited (SCRAM-SHA-256).
 *
 * <p>Owned by the channel's event loop; the negotiated values are read there too.
 */
final class Handshake {
    private final ClientProxy out;
    private final BrokerContext context;
    private final BrokerConfig config;
    private final TlsPeer tls;
    private final Login login;
    private List<String> offered = List.of();
    private String clientName = "";
    private long heartbeatMillis;
    private boolean confirms;
    private boolean returns;
    private boolean manualAck;
    private boolean serverCancel;
    private boolean flow;
    private boolean admin;

    Handshake(ClientProxy out, BrokerContext context, Channel channel, TlsPeer tls) {
        this.out = out;
        this.tls = tls;
        this.context = context;
        this.config = context.config();
        this.login = new Login(context.authenticator(), context.externalAuthenticator(), channel, tls, out);
    }

    /**
     * Negotiates version and capabilities and writes WELCOME.
     *
     * @throws ProtocolException 2005 UNSUPPORTED_VERSION when no version is common to both sides
     */
    void hello(Hello hello) {
        if (hello.maxVersion() < ProtocolVersion.MIN_SUPPORTED || hello.minVersion() > ProtocolVersion.MAX_SUPPORTED
                || hello.minVersion() > hello.maxVersion()) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "client speaks versions " + hello.minVersion()
                    + ".." + hello.maxVersion() + "; this server speaks " + ProtocolVersion.MIN_SUPPORTED + ".."
                    + ProtocolVersion.MAX_SUPPORTED);
        }
        clientName = hello.clientName();
        Set<String> effective = new HashSet<>(hello.capabilities());
        effective.retainAll(ProtocolVersion.CAPABILITIES);
        confirms = effective.contains(ProtocolVersion.CAP_CONFIRMS);
        returns = effective.contains(ProtocolVersion.CAP_RETURNS);
        manualAck = effective.contains(ProtocolVersion.CAP_MANUAL_ACK);
        serverCancel = effective.contains(ProtocolVersion.CAP_SERVER_CANCEL);
        flow = effective.contains(ProtocolVersion.CAP_FLOW);
        admin = effective.contains(ProtocolVersion.CAP_ADMIN);
        List<String> mechanisms = new ArrayList<>(context.authenticator().mechanisms(
                effective.contains(ProtocolVersion.CAP_SASL), login.plainAllowed()));
        if (context.externalAuthenticator().offered(tls.certificates())) {
            mechanisms.add(0, ProtocolVersion.MECH_EXTERNAL);
        }
        offered = List.copyOf(mechanisms);
        long version = Math.min(hello.maxVersion(), ProtocolVersion.MAX_SUPPORTED);
        out.write(new Welcome(version, "relais", context.serverVersion(), ProtocolVersion.CAPABILITIES,
                offered, config.maxFrameSize(), config.heartbeat().toMillis()));
    }

    /**
     * Starts authentication and agrees the heartbeat interval: if one side proposes 0, the other's value,
     * otherwise the smaller one.
     *
     * @return completes on the loop with true once the client is authenticated, false when a challenge was
     *     sent; fails with a {@link ProtocolException} 2006 AUTHENTICATION_FAILED
     */
    CompletableFuture<Boolean> auth(Auth auth) {
        long server = config.heartbeat().toMillis();
        long client = auth.heartbeatMillis();
        heartbeatMillis = server == 0 ? client : client == 0 ? server : Math.min(server, client);
        return login.start(auth, offered);
    }

    /** Continues a challenge-response mechanism; completes as {@link #auth}. */
    CompletableFuture<Boolean> respond(AuthResponse response) {
        return login.respond(response);
    }

    /** The frame AWAIT_AUTH takes next: AUTH, or AUTH_RESPONSE after a challenge. */
    FrameType expectedAuthFrame() {
        return login.awaitingResponse() ? FrameType.AUTH_RESPONSE : FrameType.AUTH;
    }

    String clientName() {
        return clientName;
    }

    /** The authenticated user; empty for ANONYMOUS. */
    String user() {
        return login.user();
    }

    /** The {@code admin} capability is effective. */
    boolean admin() {
        return admin;
    }

    /** The negotiated heartbeat interval; 0 when heartbeats are off. */
    long heartbeatMillis() {
        return heartbeatMillis;
    }

    /** The {@code confirms} capability is effective. */
    boolean confirms() {
        return confirms;
    }

    /** The {@code returns} capability is effective. */
    boolean returns() {
        return returns;
    }

    /** The {@code manual-ack} capability is effective. */
    boolean manualAck() {
        return manualAck;
    }

    /** The {@code server-cancel} capability is effective. */
    boolean serverCancel() {
        return serverCancel;
    }

    /** True if the client asked to be told with FLOW when reading stops and resumes. */
    boolean flow() {
        return flow;
    }
}
