package io.relais.broker.core;

import java.nio.charset.StandardCharsets;

/**
 * Rules on names that every front end shares: the length limit, reserved prefixes, the default
 * virtual host. Stateless.
 */
public final class Names {
    /** Longest exchange or queue name, binding key or routing key, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 255;
    /** Names with this prefix are reserved for the server. */
    public static final String RESERVED_PREFIX = "relais.";
    /** The only virtual host for now; every resource carries its vhost so that more can follow. */
    public static final String DEFAULT_VHOST = "/";

    private Names() {
    }

    /** Refuses a name longer than {@link #MAX_NAME_BYTES}. */
    public static void checkLength(String what, String value) {
        String error = lengthError(what, value);
        if (error != null) {
            throw new CoreException(Reason.INVALID_ARGUMENT, error);
        }
    }

    /** The message for a value longer than {@link #MAX_NAME_BYTES}, or null if it is short enough. */
    public static String lengthError(String what, String value) {
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        return bytes > MAX_NAME_BYTES ? what + " is " + bytes + " bytes long; the limit is " + MAX_NAME_BYTES : null;
    }

    /** Refuses a name that starts with {@link #RESERVED_PREFIX}. */
    public static void checkNotReserved(String what, String name) {
        if (name.startsWith(RESERVED_PREFIX)) {
            throw new CoreException(Reason.PRECONDITION_FAILED, what + " names starting with '" + RESERVED_PREFIX
                    + "' are reserved for the server");
        }
    }
}
