package io.relais.broker.net;

import io.relais.broker.config.BrokerConfig;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.ProtocolVersion;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks AUTH frames: PLAIN (RFC 4616) against the configured users, and ANONYMOUS when enabled.
 *
 * <p>Immutable; thread-safe.
 */
public final class Authenticator {
    private final Map<String, String> users;
    private final boolean anonymous;

    public Authenticator(BrokerConfig config) {
        this.users = config.auth().users();
        this.anonymous = config.auth().anonymous();
    }

    /** Mechanisms to offer in WELCOME, in order of preference. */
    public List<String> mechanisms() {
        List<String> list = new ArrayList<>();
        if (!users.isEmpty()) {
            list.add(ProtocolVersion.MECH_PLAIN);
        }
        if (anonymous) {
            list.add(ProtocolVersion.MECH_ANONYMOUS);
        }
        return list;
    }

    /**
     * Authenticates; returns the user name (empty for anonymous).
     *
     * @throws ProtocolException with {@link ErrorCode#AUTHENTICATION_FAILED}
     */
    public String authenticate(String mechanism, byte[] response) {
        if (ProtocolVersion.MECH_ANONYMOUS.equals(mechanism) && anonymous) {
            return "";
        }
        if (!ProtocolVersion.MECH_PLAIN.equals(mechanism) || users.isEmpty()) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION_FAILED, "mechanism '" + mechanism
                    + "' is not offered; offered: " + mechanisms());
        }
        String text = new String(response, StandardCharsets.UTF_8);
        String[] parts = text.split("\u0000", -1);
        if (parts.length != 3) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION_FAILED,
                    "PLAIN response must be authzid NUL username NUL password");
        }
        String user = parts[1];
        if (!parts[0].isEmpty() && !parts[0].equals(user)) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION_FAILED, "user '" + user
                    + "' may not act as '" + parts[0] + "'");
        }
        String expected = users.get(user);
        byte[] given = parts[2].getBytes(StandardCharsets.UTF_8);
        byte[] wanted = (expected == null ? "\u0000invalid" : expected).getBytes(StandardCharsets.UTF_8);
        if (expected == null || !MessageDigest.isEqual(given, wanted)) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION_FAILED, "bad user name or password for '" + user
                    + "'");
        }
        return user;
    }
}
