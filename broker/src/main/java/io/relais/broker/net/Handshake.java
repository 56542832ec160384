package io.relais.broker.net;

import io.relais.broker.audit.AuditLog;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.core.Names;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.routing.Topology;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.Welcome;
import java.util.HashSet;
import java.util.Set;

/**
 * The handshake of one connection (PROTOCOL.md 3.3): answers HELLO with WELCOME after choosing the
 * protocol version and the effective capabilities, checks AUTH with the {@link Authenticator}, opens
 * the virtual host AUTH names (it must exist and the user must have permissions there) and
 * agrees the heartbeat interval; afterwards it answers what was negotiated.
 *
 * <p>It decides nothing about the connection's state: the {@link Session} gives it HELLO in
 * AWAIT_HELLO and AUTH in AWAIT_AUTH, and opens the connection (READY) when {@link #auth} reports
 * that the client is authenticated. A challenge-response (SASL) mechanism fits behind {@link #auth}:
 * it would send its challenge, return false, and take the client's next response in AWAIT_AUTH.
 *
 * <p>Owned by the channel's event loop; the negotiated values are read there too.
 */
final class Handshake {
    private final ClientProxy out;
    private final BrokerContext context;
    private final BrokerConfig config;
    private String clientName = "";
    private String user = "";
    private String vhost = Names.DEFAULT_VHOST;
    private Topology topology;
    private boolean admin;
    private long heartbeatMillis;
    private boolean confirms;
    private boolean returns;
    private boolean manualAck;
    private boolean serverCancel;
    private boolean flow;

    Handshake(ClientProxy out, BrokerContext context) {
        this.out = out;
        this.context = context;
        this.config = context.config();
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
        long version = Math.min(hello.maxVersion(), ProtocolVersion.MAX_SUPPORTED);
        out.write(new Welcome(version, "relais", context.serverVersion(), ProtocolVersion.CAPABILITIES,
                context.authenticator().mechanisms(), config.maxFrameSize(), config.heartbeat().toMillis()));
    }

    /**
     * Authenticates, opens the virtual host the client asked for, and agrees the heartbeat interval:
     * if one side proposes 0, the other's value, otherwise the smaller one. The virtual host must
     * exist and the user must have permissions in it (RabbitMQ's "access to vhost refused").
     *
     * @return true once the client is authenticated (always, with the single-step mechanisms of
     *     version 1)
     * @throws ProtocolException 2006 AUTHENTICATION_FAILED
     */
    boolean auth(Auth auth, String connectionId) {
        user = context.authenticator().authenticate(auth.mechanism(), auth.response());
        String asked = auth.vhost();
        Topology t = context.vhosts().get(asked);
        String refusal = t == null ? "virtual host '" + asked + "' does not exist"
                : context.permissions().permission(user, asked) == null
                ? (user.isEmpty() ? "anonymous" : "user '" + user + "'") + " has no permissions in virtual host '"
                        + asked + "'"
                : null;
        if (refusal != null) {
            String message = "access to vhost '" + asked + "' refused for "
                    + (user.isEmpty() ? "anonymous" : "user '" + user + "'") + ": " + refusal;
            AuditLog.refused(new Caller(user, asked, connectionId), "connect", "vhost '" + asked + "'", message);
            throw new ProtocolException(ErrorCode.AUTHENTICATION_FAILED, message);
        }
        vhost = asked;
        topology = t;
        long server = config.heartbeat().toMillis();
        long client = auth.heartbeatMillis();
        heartbeatMillis = server == 0 ? client : client == 0 ? server : Math.min(server, client);
        return true;
    }

    String clientName() {
        return clientName;
    }

    /** The authenticated user; empty for ANONYMOUS. */
    String user() {
        return user;
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
