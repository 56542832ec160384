package io.relais.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.relais.broker.Broker;
import io.relais.broker.config.AuthConfig;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.config.TlsConfig;
import io.relais.client.Message;
import io.relais.client.RelaisClient;
import io.relais.client.TlsOptions;
import io.relais.client.testing.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and credentials through the bridge: the Relais side to a real TLS-only broker as a user other than
 * guest; the RabbitMQ side over {@code amqps://}, of which only the URI and the TLS context can be checked
 * here (the RabbitMQ on this machine has no TLS listener).
 */
class BridgeTlsTest {
    @TempDir
    Path dir;

    @Test
    void shouldMirrorIntoRabbitMqFromATlsOnlyRelaisAsTheGivenUser() throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        String run = "tls" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL) + ".";
        Connection rabbit = RabbitMq.connect();
        BrokerConfig config = BrokerConfig.defaults().withPort(0).withDataDir(Files.createDirectories(dir.resolve("d")))
                .withAuth(AuthConfig.DEFAULTS.withUsers(Map.of("bridge", "bridge-secret"), false))
                .withTls(TlsConfig.of(0, certs.serverCertificate(), certs.serverKey(), null, true));
        RelaisClient.Builder relaisSide = RelaisClient.builder().username("bridge").password("bridge-secret");
        try (Broker broker = Broker.start(config)) {
            relaisSide.port(broker.tlsPort()).tls(TlsOptions.trustPem(certs.ca()));
            Channel channel = rabbit.createChannel();
            String q = channel.queueDeclare().getQueue();
            channel.queueBind(q, "amq.topic", run + "#");
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            channel.basicConsume(q, true, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
                    got.add(env.getRoutingKey() + " " + new String(body, StandardCharsets.UTF_8));
                }
            });
            try (Bridge bridge = Bridge.start(relaisSide, new BridgeConfig(RabbitMq.URI,
                         List.of(LinkConfig.toRabbitmq(run + "#"))));
                 RelaisClient publisher = RelaisClient.builder().port(broker.tlsPort())
                         .tls(TlsOptions.trustPem(certs.ca())).username("bridge").password("bridge-secret").connect()) {
                publisher.publishConfirmed(Message.builder(run + "x").payload("over tls").build()).join();
                assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo(run + "x over tls");
                assertThat(bridge.counters().get("to-rabbitmq." + run + "#").forwarded()).isEqualTo(1);
            } finally {
                channel.queueDelete("relais-bridge.to-rabbitmq." + run + "#");
            }
        } finally {
            rabbit.close();
        }
    }

    @Test
    void shouldUseTlsWithTheGivenCaForAmqpsUris() throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        ConnectionFactory secure = RabbitTls.factory(new BridgeConfig("amqps://u:p@rabbit.example:5999/vh",
                certs.ca(), List.of()));
        assertThat(secure.isSSL()).isTrue();
        assertThat(secure.getHost()).isEqualTo("rabbit.example");
        assertThat(secure.getPort()).isEqualTo(5999);
        assertThat(secure.getUsername()).isEqualTo("u");
        assertThat(secure.getVirtualHost()).isEqualTo("vh");
        assertThat(RabbitTls.factory(new BridgeConfig("amqps://rabbit.example", null, List.of())).getPort())
                .isEqualTo(RabbitTls.DEFAULT_AMQPS_PORT);
        ConnectionFactory plain = RabbitTls.factory(new BridgeConfig("amqp://rabbit.example", null, List.of()));
        assertThat(plain.isSSL()).isFalse();
        assertThat(plain.getPort()).isEqualTo(5672);
        assertThat(RabbitTls.sslContext(certs.ca()).getProtocol()).isEqualTo("TLS");
        assertThatThrownBy(() -> RabbitTls.factory(new BridgeConfig("amqp://rabbit.example", certs.ca(), List.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("amqps://");
        assertThatThrownBy(() -> RabbitTls.factory(new BridgeConfig("http://rabbit.example", null, List.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("amqp:// or amqps://");
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
        assertThatThrownBy(() -> RabbitTls.sslContext(notPem)).isInstanceOf(Exception.class);
    }

    @Test
    void shouldReadTheCaOfAnAmqpsRabbitMqFromTheBridgeSection() throws Exception {
        BridgeConfig c = BridgeConfig.fromMap(Map.of("amqp", "amqps://rabbit.example", "amqp-cacert", "rabbit-ca.pem"),
                "test.yaml");
        assertThat(c.amqpCacert()).isEqualTo(Path.of("rabbit-ca.pem"));
    }
}
