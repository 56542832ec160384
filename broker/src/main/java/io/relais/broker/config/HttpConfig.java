package io.relais.broker.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The HTTP listener of the admin API, health checks, metrics and web UI ({@code http.*}). Immutable;
 * thread-safe.
 *
 * @param enabled whether the broker opens the HTTP listener at all ({@value BrokerConfig#KEY_HTTP_ENABLED})
 * @param host the address it listens on ({@value BrokerConfig#KEY_HTTP_HOST})
 * @param port its TCP port, 0 for an ephemeral one ({@value BrokerConfig#KEY_HTTP_PORT})
 * @param maxBody the largest request body accepted; larger ones are answered 413
 *     ({@value BrokerConfig#KEY_HTTP_MAX_BODY})
 * @param tokenLifetime how long a bearer token from {@code POST /api/tokens} is valid
 *     ({@value BrokerConfig#KEY_HTTP_TOKEN_LIFETIME})
 * @param metricsAuth whether {@code /metrics} needs a user tagged administrator or monitoring
 *     ({@value BrokerConfig#KEY_HTTP_METRICS_AUTH})
 * @param tls whether the listener speaks HTTPS with the certificate and key of {@code tls.*}
 *     ({@value BrokerConfig#KEY_HTTP_TLS})
 */
public record HttpConfig(boolean enabled, String host, int port, long maxBody, Duration tokenLifetime,
                         boolean metricsAuth, boolean tls) {
    /** The defaults {@code config/relais.yaml} documents: on, 127.0.0.1:7421, plain HTTP. */
    public static final HttpConfig DEFAULTS = new HttpConfig(true, "127.0.0.1", 7421, 16L * 1024 * 1024,
            Duration.ofHours(8), false, false);
    /** No HTTP listener. */
    public static final HttpConfig DISABLED = DEFAULTS.withEnabled(false);

    public HttpConfig {
        Objects.requireNonNull(host, BrokerConfig.KEY_HTTP_HOST);
        Objects.requireNonNull(tokenLifetime, BrokerConfig.KEY_HTTP_TOKEN_LIFETIME);
    }

    /** An HTTP listener on {@code port} (0: ephemeral) of 127.0.0.1, the other settings at their defaults. */
    public static HttpConfig onPort(int port) {
        return DEFAULTS.withPort(port);
    }

    /** This configuration on another port. */
    public HttpConfig withPort(int newPort) {
        return new HttpConfig(enabled, host, newPort, maxBody, tokenLifetime, metricsAuth, tls);
    }

    /** This configuration switched on or off. */
    public HttpConfig withEnabled(boolean on) {
        return new HttpConfig(on, host, port, maxBody, tokenLifetime, metricsAuth, tls);
    }

    /** This configuration with another body limit. */
    public HttpConfig withMaxBody(long newMaxBody) {
        return new HttpConfig(enabled, host, port, newMaxBody, tokenLifetime, metricsAuth, tls);
    }

    /** This configuration with another token lifetime. */
    public HttpConfig withTokenLifetime(Duration newLifetime) {
        return new HttpConfig(enabled, host, port, maxBody, newLifetime, metricsAuth, tls);
    }

    /** This configuration with {@code /metrics} behind authentication or not. */
    public HttpConfig withMetricsAuth(boolean on) {
        return new HttpConfig(enabled, host, port, maxBody, tokenLifetime, on, tls);
    }

    /** This configuration with HTTPS on or off. */
    public HttpConfig withTls(boolean on) {
        return new HttpConfig(enabled, host, port, maxBody, tokenLifetime, metricsAuth, on);
    }
}
