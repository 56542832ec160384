package io.relais.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.client.ConnectionEvent;
import io.relais.client.ExchangeType;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import io.relais.client.SubscribeOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client riding through a broker crash: a broker in its own process is killed with SIGKILL and started
 * again on the same port and data directory, under a subscriber (the CLI, as the README shows it) and under a
 * publisher with confirms (the library).
 */
class ReconnectEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void shouldKeepTheSubCommandRunningAcrossAKillAndRestart(@TempDir Path dataDir) throws Exception {
        BrokerProcess broker = BrokerProcess.start(dataDir);
        int port = broker.port();
        String server = "127.0.0.1:" + port;
        try (CliProcess sub = CliProcess.start("sub", "--server", server, "--count", "2", "x.#")) {
            sub.awaitStderr("subscribed to 'x.#'");
            assertThat(CliProcess.run("pub", "--server", server, "x.before", "before").exitCode()).isZero();
            Poll.until("the first message", WAIT, () -> sub.stdout().contains("before"), sub::stderr);

            broker.kill();
            broker = BrokerProcess.start(dataDir, port);
            sub.awaitStderr("reconnected");
            assertThat(CliProcess.run("pub", "--server", server, "x.after", "after").exitCode()).isZero();

            assertThat(sub.waitFor()).as(sub.stderr()).isZero();
            assertThat(sub.stdout()).isEqualTo("before\nafter\n");
            assertThat(sub.stderr()).contains("reconnecting");
        } finally {
            broker.close();
        }
    }

    @Test
    void shouldLoseNoConfirmedMessageWhenThePublisherRidesThroughAKill(@TempDir Path dataDir) throws Exception {
        BrokerProcess broker = BrokerProcess.start(dataDir);
        int port = broker.port();
        try (RelaisClient admin = RelaisClient.builder().port(port).reconnect(ReconnectPolicy.disabled()).connect()) {
            admin.declareExchange("orders", ExchangeType.TOPIC, true, false).get(30, TimeUnit.SECONDS);
            admin.declareQueue(QueueDeclaration.named("q").durable(true)).get(30, TimeUnit.SECONDS);
            admin.bind("q", "orders", "orders.#").get(30, TimeUnit.SECONDS);
        }
        BitSet confirmed = new BitSet();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        CountDownLatch resubscribed = new CountDownLatch(1);
        AtomicBoolean stop = new AtomicBoolean();
        RelaisClient publisher = RelaisClient.builder().port(port)
                .reconnect(ReconnectPolicy.fixed(Duration.ofMillis(50))).maxUnconfirmed(200).connect();
        publisher.onConnectionEvent(e -> {
            if (e.type() == ConnectionEvent.Type.RESUBSCRIBED) {
                resubscribed.countDown();
            }
        });
        Thread sender = new Thread(() -> {
            for (int n = 1; !stop.get(); n++) {
                int number = n;
                CompletableFuture<Void> f = publisher.publishConfirmed(Message.builder("orders.eu").exchange("orders")
                        .payload(String.valueOf(number)).persistent(true).build());
                f.thenRun(() -> {
                    synchronized (confirmed) {
                        confirmed.set(number);
                    }
                });
                synchronized (futures) {
                    futures.add(f);
                }
            }
        }, "publisher");
        try {
            sender.start();
            Poll.until("1,000 confirms", WAIT, () -> count(confirmed) >= 1000, () -> "confirmed " + count(confirmed));
            broker.kill();
            broker = BrokerProcess.start(dataDir, port);
            assertThat(resubscribed.await(30, TimeUnit.SECONDS)).as("reconnected").isTrue();
            int before = count(confirmed);
            Poll.until("1,000 more confirms", WAIT, () -> count(confirmed) >= before + 1000,
                    () -> "confirmed " + count(confirmed));
        } finally {
            stop.set(true);
            sender.join(TimeUnit.SECONDS.toMillis(30));
        }
        List<CompletableFuture<Void>> all;
        synchronized (futures) {
            all = List.copyOf(futures);
        }
        CompletableFuture<Void> settled = CompletableFuture.allOf(all.stream()
                .map(f -> f.handle((v, e) -> (Void) null)).toArray(CompletableFuture[]::new));
        settled.get(30, TimeUnit.SECONDS);
        assertThat(all).as("no publish left without an outcome").allMatch(CompletableFuture::isDone);
        publisher.close();

        BitSet delivered = new BitSet();
        try (RelaisClient consumer = RelaisClient.builder().port(port).connect()) {
            consumer.subscribeQueue("q", SubscribeOptions.defaults().manualAck(true).prefetch(1000), d -> {
                synchronized (delivered) {
                    delivered.set(Integer.parseInt(new String(d.payload(), StandardCharsets.UTF_8)));
                }
                d.ack();
            }).get(30, TimeUnit.SECONDS);
            Poll.until("every confirmed message delivered", WAIT, () -> {
                BitSet missing;
                synchronized (confirmed) {
                    missing = (BitSet) confirmed.clone();
                }
                synchronized (delivered) {
                    missing.andNot(delivered);
                }
                return missing.isEmpty();
            }, () -> "confirmed " + count(confirmed) + ", delivered " + count(delivered));
        } finally {
            broker.close();
        }
    }

    private static int count(BitSet set) {
        synchronized (set) {
            return set.cardinality();
        }
    }
}
