package io.relais.broker.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How clients authenticate. Immutable; thread-safe.
 *
 * @param users the seed list, user name to password ({@value BrokerConfig#KEY_USERS}): the users the broker
 *     creates, tagged administrator, when it creates its user database ({@code users.db} in the data directory)
 *     at its first start; never read again once the database exists
 * @param anonymous whether the ANONYMOUS mechanism is offered ({@value BrokerConfig#KEY_ANONYMOUS})
 * @param plainOnPlaintext whether PLAIN is accepted on a connection without TLS from a non-loopback address
 *     ({@value BrokerConfig#KEY_PLAIN_ON_PLAINTEXT})
 * @param loopbackUsers users created loopback-only: they may log in only from 127.0.0.0/8 or ::1
 *     ({@value BrokerConfig#KEY_LOOPBACK_USERS})
 * @param failureDelay the delay of a login after the first failed one from the same address, doubled after
 *     every further failure ({@value BrokerConfig#KEY_FAILURE_DELAY}); zero turns the delay off
 * @param failureDelayMax the longest such delay ({@value BrokerConfig#KEY_FAILURE_DELAY_MAX})
 * @param failureTrackedAddresses addresses whose failures are remembered at most
 *     ({@value BrokerConfig#KEY_FAILURE_TRACKED_ADDRESSES})
 */
public record AuthConfig(Map<String, String> users, boolean anonymous, boolean plainOnPlaintext,
                         List<String> loopbackUsers, Duration failureDelay, Duration failureDelayMax,
                         int failureTrackedAddresses) {
    /** The defaults {@code config/relais.yaml} documents. */
    public static final AuthConfig DEFAULTS = new AuthConfig(Map.of("guest", "guest"), false, false,
            List.of("guest"), Duration.ofMillis(100), Duration.ofSeconds(5), 10_000);

    public AuthConfig {
        users = Map.copyOf(Objects.requireNonNull(users, BrokerConfig.KEY_USERS));
        loopbackUsers = List.copyOf(Objects.requireNonNull(loopbackUsers, BrokerConfig.KEY_LOOPBACK_USERS));
        Objects.requireNonNull(failureDelay, BrokerConfig.KEY_FAILURE_DELAY);
        Objects.requireNonNull(failureDelayMax, BrokerConfig.KEY_FAILURE_DELAY_MAX);
    }

    /** These settings with another seed list and ANONYMOUS setting (for tests). */
    public AuthConfig withUsers(Map<String, String> newUsers, boolean newAnonymous) {
        return new AuthConfig(newUsers, newAnonymous, plainOnPlaintext, loopbackUsers, failureDelay, failureDelayMax,
                failureTrackedAddresses);
    }

    /** These settings with PLAIN allowed or refused on plaintext connections from other hosts. */
    public AuthConfig withPlainOnPlaintext(boolean allowed) {
        return new AuthConfig(users, anonymous, allowed, loopbackUsers, failureDelay, failureDelayMax,
                failureTrackedAddresses);
    }

    /** These settings with other failed-login delays. */
    public AuthConfig withFailureDelay(Duration base, Duration max) {
        return new AuthConfig(users, anonymous, plainOnPlaintext, loopbackUsers, base, max, failureTrackedAddresses);
    }
}
