package io.relais.protocol;

import java.util.List;

/**
 * Protocol version numbers, capability names and fixed limits that both sides of a connection share.
 *
 * <p>Constants only; thread-safe.
 */
public final class ProtocolVersion {
    /** The only version this codebase speaks. */
    public static final int V1 = 1;
    /** Lowest version this implementation accepts. */
    public static final int MIN_SUPPORTED = V1;
    /** Highest version this implementation accepts. */
    public static final int MAX_SUPPORTED = V1;

    /** Capability: the server confirms publishes whose sequence number is non-zero. */
    public static final String CAP_CONFIRMS = "confirms";
    /** Capability: the server returns unroutable mandatory publishes with RETURN. */
    public static final String CAP_RETURNS = "returns";
    /** Capability: subscriptions may use manual acknowledgement with a prefetch window. */
    public static final String CAP_MANUAL_ACK = "manual-ack";
    /** Capability: the server may cancel a subscription with CANCELLED (queue deleted, ...). */
    public static final String CAP_SERVER_CANCEL = "server-cancel";
    /**
     * Capability: the server tells the client with FLOW when it stops reading from the connection for
     * flow control (a congested queue, the memory alarm) and when it reads again.
     */
    public static final String CAP_FLOW = "flow";
    /**
     * Capability: challenge-response authentication mechanisms (SCRAM-SHA-256) with AUTH_CHALLENGE and
     * AUTH_RESPONSE; the server offers them in WELCOME only when this capability is effective.
     */
    public static final String CAP_SASL = "sasl";
    /** Capability: administration of the broker over the connection (users; USER_PUT and the frames after it). */
    public static final String CAP_ADMIN = "admin";
    /** The four capabilities version 1 was published with, which every version 1 server supports. */
    public static final List<String> V1_CAPABILITIES =
            List.of(CAP_CONFIRMS, CAP_RETURNS, CAP_MANUAL_ACK, CAP_SERVER_CANCEL);
    /**
     * Every capability this implementation speaks: those of {@link #V1_CAPABILITIES} and those added to
     * version 1 since (PROTOCOL.md 10, point 2), in the order a server lists them.
     */
    public static final List<String> CAPABILITIES =
            List.of(CAP_CONFIRMS, CAP_RETURNS, CAP_MANUAL_ACK, CAP_SERVER_CANCEL, CAP_FLOW, CAP_SASL, CAP_ADMIN);

    /**
     * Authentication mechanism: SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding; the server's
     * first choice. Needs the {@link #CAP_SASL} capability.
     */
    public static final String MECH_SCRAM_SHA_256 = "SCRAM-SHA-256";
    /** Authentication mechanism: user name and password, RFC 4616. */
    public static final String MECH_PLAIN = "PLAIN";
    /** Authentication mechanism: no credentials; only offered when the server allows it. */
    public static final String MECH_ANONYMOUS = "ANONYMOUS";
    /** Authentication mechanism: the TLS client certificate names the user (RFC 4422 appendix A). */
    public static final String MECH_EXTERNAL = "EXTERNAL";

    /** Size of the length prefix in bytes. */
    public static final int LENGTH_PREFIX_BYTES = 4;
    /** Largest body accepted before READY, whatever the negotiated maximum. */
    public static final int HANDSHAKE_MAX_FRAME_SIZE = 64 * 1024;
    /** Default largest frame body after READY, 16 MiB. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;
    /** Longest exchange name, queue name, routing key or pattern, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 255;

    private ProtocolVersion() {
    }
}
