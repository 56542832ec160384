package io.relais.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.broker.store.FsyncPolicy;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static BrokerConfig parse(String yaml) {
        return ConfigLoader.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
    }

    @Test
    void shouldMatchBuiltInDefaultsWhenLoadingTheShippedConfigFile() {
        BrokerConfig shipped = ConfigLoader.load(Path.of("..", "config", "relais.yaml"));
        assertThat(shipped).isEqualTo(BrokerConfig.defaults());
    }

    @Test
    void shouldUseDefaultsWhenFileIsEmpty() {
        assertThat(parse("")).isEqualTo(BrokerConfig.defaults());
    }

    @Test
    void shouldParseSizesDurationsAndUsersWhenGiven() {
        BrokerConfig c = parse("""
                server: {host: 0.0.0.0, port: 9000}
                limits: {max-frame-size: 2MiB, heartbeat: 500ms, handshake-timeout: 2s, write-buffer-high: 64KiB,
                         write-buffer-low: 32768}
                auth: {users: {alice: secret, bob: 1234}, anonymous: true}
                """);
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.maxFrameSize()).isEqualTo(2 * 1024 * 1024);
        assertThat(c.heartbeat()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.handshakeTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.writeBufferHigh()).isEqualTo(65536);
        assertThat(c.writeBufferLow()).isEqualTo(32768);
        assertThat(c.auth().users()).isEqualTo(Map.of("alice", "secret", "bob", "1234"));
        assertThat(c.auth().anonymous()).isTrue();
    }

    @Test
    void shouldParseTheFsyncPolicyAndDiskThresholdWhenGiven() {
        assertThat(parse("store: {fsync: never}").fsync())
                .isEqualTo(new FsyncPolicy(FsyncPolicy.Mode.NEVER,
                        Duration.ZERO));
        assertThat(parse("store: {fsync: always}").fsync().mode())
                .isEqualTo(FsyncPolicy.Mode.ALWAYS);
        BrokerConfig c = parse("store: {fsync: interval 250ms, min-free-disk: 1GiB}");
        assertThat(c.fsync().interval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.minFreeDisk()).isEqualTo(1L << 30);
        for (String bad : new String[] {"sometimes", "interval", "interval soon", "always 1s", "interval 0"}) {
            assertThatThrownBy(() -> parse("store: {fsync: " + bad + "}")).as(bad)
                    .isInstanceOf(ConfigException.class).hasMessageContaining("store.fsync");
        }
        assertThatThrownBy(() -> parse("store: {min-free-disk: lots}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("store.min-free-disk");
    }

    @Test
    void shouldParseTheConnectionBoundsAndNameTheKeyWhenOneIsBad() {
        BrokerConfig c = parse("""
                limits: {frame-timeout: 5s, frame-timeout-per-mib: 500ms, partial-frame-memory: 32MiB, write-timeout: 0}
                subscriptions: {consumer-timeout: 0}
                """);
        assertThat(c.frameTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.frameTimeoutPerMib()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.partialFrameMemory()).isEqualTo(32L << 20);
        assertThat(c.writeTimeout()).isZero();
        assertThat(c.consumerTimeout()).isZero();
        assertThat(parse("subscriptions: {consumer-timeout: 45m}").consumerTimeout()).isEqualTo(Duration.ofMinutes(45));
        String[][] bad = {
            {"limits: {frame-timeout: 0}", "limits.frame-timeout"},
            {"limits: {frame-timeout-per-mib: slow}", "limits.frame-timeout-per-mib"},
            {"limits: {partial-frame-memory: 1KiB}", "limits.partial-frame-memory"},
            {"limits: {write-timeout: -1}", "limits.write-timeout"},
            {"subscriptions: {consumer-timeout: forever}", "subscriptions.consumer-timeout"},
        };
        for (String[] b : bad) {
            assertThatThrownBy(() -> parse(b[0])).as(b[0]).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(b[1]);
        }
    }

    @Test
    void shouldRejectAMemoryWatermarkThatFramesBeingReceivedCouldHoldUpAlone() {
        // PROTOCOL.md 7.8 point 5: the alarm clears below 75% of the watermark, so the frame memory must fit below that.
        assertThatThrownBy(() -> parse("limits: {memory-high-watermark: 8MiB, partial-frame-memory: 6MiB}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.memory-high-watermark")
                .hasMessageContaining("limits.partial-frame-memory");
        assertThatThrownBy(() -> parse("limits: {memory-high-watermark: 64MiB}")).as("the default 64MiB of frame memory")
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.memory-high-watermark");
        BrokerConfig c = parse("limits: {memory-high-watermark: 8MiB, partial-frame-memory: 5MiB}");
        assertThat(c.memoryHighWatermark()).isEqualTo(8L << 20);
        assertThat(c.partialFrameMemory()).isEqualTo(5L << 20);
    }

    @Test
    void shouldParseTheTlsListenerAndNameTheKeyWhenItDoesNotHangTogether() {
        BrokerConfig c = parse("""
                tls: {port: 7421, certificate: server.pem, key: server.key, ca: ca.pem, only: true,
                      client-auth: need, external-user: san-email, provider: jdk}
                """);
        assertThat(c.tls()).isEqualTo(new TlsConfig(7421, Path.of("server.pem"), Path.of("server.key"),
                Path.of("ca.pem"), true, TlsConfig.ClientAuth.NEED, TlsConfig.ExternalUser.SAN_EMAIL,
                TlsConfig.Provider.JDK));
        assertThatThrownBy(() -> parse("tls: {port: 7421, certificate: server.pem}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(BrokerConfig.KEY_TLS_KEY);
        assertThatThrownBy(() -> parse("tls: {certificate: server.pem, key: server.key}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(BrokerConfig.KEY_TLS_PORT);
        assertThatThrownBy(() -> parse("tls: {port: 1, certificate: a, key: b, client-auth: need}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(BrokerConfig.KEY_TLS_CA);
        assertThatThrownBy(() -> parse("tls: {external-user: uid}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(BrokerConfig.KEY_TLS_EXTERNAL_USER)
                .hasMessageContaining("cn, san-email, san-dns");
        assertThatThrownBy(() -> parse("tls: {provider: bouncy}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(BrokerConfig.KEY_TLS_PROVIDER);
    }

    @Test
    void shouldParseTheSecurityLimitsWhenGiven() {
        BrokerConfig c = parse("""
                limits: {max-connections: 100, max-connections-per-address: 10, max-connections-per-user: 20,
                         max-connections-per-vhost: 30, max-queues-per-vhost: 40, max-subscriptions-per-connection: 0}
                """);
        assertThat(c.securityLimits()).isEqualTo(new SecurityLimits(100, 10, 20, 30, 40, 0));
        assertThatThrownBy(() -> parse("limits: {max-connections: -1}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(BrokerConfig.KEY_MAX_CONNECTIONS);
    }

    @Test
    void shouldIgnoreTheClientSectionWhichClientCommandsRead() {
        assertThat(parse("client: {server: 'h:1', tls: true}")).isEqualTo(BrokerConfig.defaults());
    }

    @Test
    void shouldNameTheKeyWhenKeyIsUnknown() {
        assertThatThrownBy(() -> parse("server: {prot: 1}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key 'server.prot'");
    }

    @Test
    void shouldNameTheKeyWhenValueIsBad() {
        assertThatThrownBy(() -> parse("server: {port: 70000}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.port");
        assertThatThrownBy(() -> parse("server: {port: seven}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.port");
        assertThatThrownBy(() -> parse("limits: {heartbeat: soon}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.heartbeat");
        assertThatThrownBy(() -> parse("limits: {max-frame-size: 12XB}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.max-frame-size");
        assertThatThrownBy(() -> parse("auth: {anonymous: maybe}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auth.anonymous");
    }

    @Test
    void shouldRefuseWhenWriteBufferLowIsNotBelowHigh() {
        assertThatThrownBy(() -> parse("limits: {write-buffer-high: 64KiB, write-buffer-low: 64KiB}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.write-buffer-low");
    }

    @Test
    void shouldAcceptAnEmptySeedListWhenLoadingSinceOnlyANewUserDatabaseNeedsOne() {
        assertThat(parse("auth: {users: {}, anonymous: false}").auth().users()).isEmpty();
    }

    @Test
    void shouldReadTheLoginSettingsWhenGiven() {
        BrokerConfig c = parse("auth: {plain-on-plaintext: true, loopback-users: [], failure-delay: 50ms, "
                + "failure-delay-max: 2s, failure-tracked-addresses: 7}");
        assertThat(c.auth().plainOnPlaintext()).isTrue();
        assertThat(c.auth().loopbackUsers()).isEmpty();
        assertThat(c.auth().failureDelay()).isEqualTo(Duration.ofMillis(50));
        assertThat(c.auth().failureDelayMax()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.auth().failureTrackedAddresses()).isEqualTo(7);
        assertThatThrownBy(() -> parse("auth: {failure-delay: 2s, failure-delay-max: 1s}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auth.failure-delay-max");
        assertThatThrownBy(() -> parse("auth: {loopback-users: guest}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auth.loopback-users");
    }

    @Test
    void shouldReportFileWhenYamlIsInvalid() {
        assertThatThrownBy(() -> parse("server: [unclosed"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("test.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(Path.of("does-not-exist.yaml")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does-not-exist.yaml");
    }

    @Test
    void shouldParseTheHttpSectionAndNameABadKey() {
        HttpConfig h = parse("http: {enabled: true, host: 0.0.0.0, port: 8080, max-body: 1MiB, token-lifetime: 1h, "
                + "metrics-auth: true}").http();
        assertThat(h).isEqualTo(new HttpConfig(true, "0.0.0.0", 8080, 1L << 20, Duration.ofHours(1), true, false));
        assertThat(parse("http: {enabled: false}").http().enabled()).isFalse();
        assertThatThrownBy(() -> parse("http: {port: 70000}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port");
        assertThatThrownBy(() -> parse("http: {max-body: lots}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.max-body");
        assertThatThrownBy(() -> parse("http: {colour: blue}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.colour");
        assertThatThrownBy(() -> parse("http: {tls: true}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.tls").hasMessageContaining("tls.port");
    }

    @Test
    void shouldGiveTheHttpListenerAnEphemeralPortWhenTheProtocolPortIsEphemeral() {
        assertThat(BrokerConfig.defaults().http().port()).isEqualTo(7421);
        assertThat(BrokerConfig.defaults().withPort(0).http().port()).isZero();
        assertThat(BrokerConfig.defaults().withPort(9000).http().port()).isEqualTo(7421);
    }
}
