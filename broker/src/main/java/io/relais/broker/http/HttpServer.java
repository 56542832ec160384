package io.relais.broker.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import io.relais.broker.config.HttpConfig;
import io.relais.broker.net.BrokerContext;
import io.relais.broker.net.TlsContexts;
import io.relais.broker.security.UserDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP listener: binds {@code http.host:http.port} on the broker's own event loops (no threads of its
 * own but one daemon thread, {@code relais-http-files}, that reads the static files once each), with every
 * endpoint registered in one {@link ApiRouter}, and samples message rates every few seconds on one loop.
 * {@link #start} binds and returns; {@link #close} unbinds and closes the connections. Thread-safe.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    /** The content type of {@code /metrics}, Prometheus text format 0.0.4. */
    static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Channel channel;
    private final ExecutorService files;
    private final ScheduledFuture<?> sampling;
    private final boolean secure;
    private final String host;

    private HttpServer(Channel channel, ExecutorService files, ScheduledFuture<?> sampling, boolean secure,
                       String host) {
        this.channel = channel;
        this.files = files;
        this.sampling = sampling;
        this.secure = secure;
        this.host = host;
    }

    /**
     * Binds the listener and returns once it listens.
     *
     * @param config the {@code http.*} settings, enabled
     * @param boss the loop that accepts connections
     * @param workers the loops that serve them
     * @param channelType the server channel class of those loops (epoll or NIO)
     * @param tls the broker's TLS contexts when {@code http.tls} is on, else null
     * @param broker what the sessions share: virtual hosts, permissions, sessions, alarms, authentication
     * @param users the user database
     * @param status the broker's listeners, recovery and disk space
     * @param metrics the Prometheus exporter for {@code /metrics}, or null (then {@code /metrics} is 404)
     * @param version the broker's version
     * @throws RuntimeException if the address cannot be bound
     */
    public static HttpServer start(HttpConfig config, EventLoopGroup boss, EventLoopGroup workers,
                                   Class<? extends ServerChannel> channelType, TlsContexts tls, BrokerContext broker,
                                   UserDatabase users, BrokerStatus status, MetricsSource metrics, String version) {
        ExecutorService files = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "relais-http-files");
            t.setDaemon(true);
            return t;
        });
        RateSampler rates = new RateSampler(broker.vhosts());
        HttpAuthenticator auth = new HttpAuthenticator(users, broker.authenticator(),
                new BearerTokens(users, config.tokenLifetime()));
        ApiContext api = new ApiContext(broker, users, broker.admin(), status, rates, auth, config, version);
        ApiRouter router = routes(api, files, metrics, config.metricsAuth());
        HttpPipeline pipeline = new HttpPipeline(new HttpApi(router, auth), (int) config.maxBody(),
                config.tls() ? tls : null);
        Channel channel;
        try {
            channel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 256)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(pipeline)
                    .bind(new InetSocketAddress(config.host(), config.port()))
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            files.shutdownNow();
            throw e;
        }
        ScheduledFuture<?> sampling = workers.next().scheduleAtFixedRate(rates, RateSampler.PERIOD_MILLIS,
                RateSampler.PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        return new HttpServer(channel, files, sampling, config.tls() && tls != null, config.host());
    }

    /** Every endpoint of the API, in one table. */
    static ApiRouter routes(ApiContext api, ExecutorService files, MetricsSource metrics, boolean metricsAuth) {
        ApiRouter router = new ApiRouter();
        new HealthEndpoints(api).register(router);
        new StaticFiles(files).register(router);
        new IdentityEndpoints(api).register(router);
        new OverviewEndpoints(api).register(router);
        new ConnectionEndpoints(api).register(router);
        new ExchangeEndpoints(api).register(router);
        new QueueEndpoints(api).register(router);
        new MessageEndpoints(api).register(router);
        new BindingEndpoints(api).register(router);
        new AccessEndpoints(api).register(router);
        new DefinitionsEndpoints(api).register(router);
        router.add(HttpMethod.GET, "/metrics", metricsAuth ? ApiRouter.Level.MONITOR : ApiRouter.Level.PUBLIC,
                "read metrics", (r, p) -> CompletableFuture.completedFuture(metrics(metrics)));
        return router;
    }

    private static ApiResponse metrics(MetricsSource metrics) {
        if (metrics == null) {
            throw ApiException.notFound("this broker exports no metrics");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            metrics.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ApiResponse(HttpResponseStatus.OK, METRICS_TYPE, out.toByteArray(), Map.of());
    }

    /** The port it is bound to (the real one when the configuration asked for 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** The address it listens on. */
    public String host() {
        return host;
    }

    /** True for HTTPS. */
    public boolean secure() {
        return secure;
    }

    /** Stops listening; open HTTP connections close with the event loops. Idempotent. */
    @Override
    public void close() {
        sampling.cancel(false);
        channel.close().syncUninterruptibly();
        files.shutdownNow();
        LOG.debug("HTTP listener closed");
    }
}
