package io.relais.broker.net;

import io.netty.channel.Channel;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.core.Names;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.routing.Topology;
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
 * and AUTH_RESPONSE to the connection's {@link Login}, opens the virtual host AUTH names (it must exist and
 * the user must have permissions there; the login fails otherwise) and agrees the heartbeat interval;
 * afterwards it answers what was negotiated.
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
    private String vhost = Names.DEFAULT_VHOST;
    private Topology topology;
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
     * otherwise the smaller one. Once the mechanism accepts the user, the virtual host the client asked for is
     * opened: it must exist and the user must have permissions in it (RabbitMQ's "access to vhost refused"),
     * or the login fails.
     *
     * @return completes on the loop with true once the client is authenticated, false when a challenge was
     *     sent; fails with a {@link ProtocolException} 2006 AUTHENTICATION_FAILED
     */
    CompletableFuture<Boolean> auth(Auth auth) {
        String asked = auth.vhost();
        long server = config.heartbeat().toMillis();
        long client = auth.heartbeatMillis();
        heartbeatMillis = server == 0 ? client : client == 0 ? server : Math.min(server, client);
        return login.start(auth, offered, user -> openVhost(user, asked));
    }

    /** Opens {@code asked} for {@code user}: null when done, else why it is refused. */
    private String openVhost(String user, String asked) {
        Topology t = context.vhosts().get(asked);
        String who = Caller.describe(user);
        // An administrator may connect to any virtual host, to administer it (its operations on exchanges and
        // queues still need permissions there); anyone else needs permissions in it.
        String refusal = t == null ? "virtual host '" + asked + "' does not exist"
                : context.permissions().permission(user, asked) == null
                        && !context.administrators().isAdministrator(user)
                ? who + " has no permissions in virtual host '" + asked + "'"
                : null;
        if (refusal != null) {
            return "access to vhost '" + asked + "' refused for " + who + ": " + refusal;
        }
        vhost = asked;
        topology = t;
        return null;
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

    /** The virtual host the connection works in, after AUTH. */
    String vhost() {
        return vhost;
    }

    /** That virtual host's model, after AUTH. */
    Topology topology() {
        return topology;
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
