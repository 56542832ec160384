package io.relais.broker.config;

import java.util.Map;
import java.util.Objects;

/**
 * How clients authenticate. Immutable; thread-safe.
 *
 * @param users user name to password, for PLAIN authentication ({@value BrokerConfig#KEY_USERS})
 * @param anonymous whether the ANONYMOUS mechanism is offered ({@value BrokerConfig#KEY_ANONYMOUS})
 */
public record AuthConfig(Map<String, String> users, boolean anonymous) {
    /** The defaults {@code config/relais.yaml} documents. */
    public static final AuthConfig DEFAULTS = new AuthConfig(Map.of("guest", "guest"), false);

    public AuthConfig {
        users = Map.copyOf(Objects.requireNonNull(users, BrokerConfig.KEY_USERS));
    }
}
