package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.core.queue.FlowLimits;
import io.relais.broker.net.Session;
import io.relais.client.Backpressure;
import io.relais.client.ConnectionEvent;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import io.relais.client.SubscribeOptions;
import io.relais.protocol.LeakCheck;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The bench's durable-64k scenario end to end, with the real client and every connection timer scaled
 * down: one producer with publisher confirms (window 1000) of persistent 64 KiB messages into a durable
 * queue, one consumer with manual acks and prefetch 500. Every connection close the broker logs and every
 * connection event the clients see is recorded; none may happen while the scenario runs.
 *
 * <p>Timers: heartbeat 1 s (so the heartbeat timeout and the write timeout are 2 s, 30 times shorter
 * than the bench's defaults), frame timeout 1 s with nothing per MiB (ten times shorter). The run lasts
 * {@code relais.large.seconds} (default 12).
 */
@ExtendWith(LeakCheck.class)
class LargeMessageConnectionTest {
    private static final int SIZE = 64 * 1024;
    private static final String QUEUE = "durable-64k";

    @Test
    void shouldKeepEveryConnectionWhenDurable64kRunsWithScaledTimers() throws Exception {
        run(c -> c);
    }

    /**
     * As a longer bench run gets to: the queue's backlog reaches its high watermark (scaled down from 1 GiB
     * to 32 MiB) and stops the producer until it has drained to half, for longer than two heartbeat
     * intervals at a time; reading then resumes in the middle of a 64 KiB frame.
     */
    @Test
    void shouldKeepEveryConnectionWhenTheFullQueueStopsTheProducerForLongerThanTwoHeartbeats() throws Exception {
        run(c -> c.withFlow(new FlowLimits(FlowLimits.DEFAULTS.highMessages(), FlowLimits.DEFAULTS.memoryHighBytes(),
                32L << 20, FlowLimits.DEFAULTS.maxDelayMillis())));
    }

    private static void run(UnaryOperator<BrokerConfig> more) throws Exception {
        long seconds = Long.getLong("relais.large.seconds", 12);
        Logger sessionLog = (Logger) LoggerFactory.getLogger(Session.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        sessionLog.addAppender(lines);
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicLong confirmed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong received = new AtomicLong();
        AtomicLong damaged = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        try (BrokerFixture broker = new BrokerFixture(c -> more.apply(c.withTimeouts(Duration.ofSeconds(1),
                Duration.ofSeconds(10)).withConnectionBounds(Duration.ofSeconds(1), Duration.ZERO,
                BrokerConfig.defaults().partialFrameMemory(), Duration.ofSeconds(2))))) {
            RelaisClient admin = broker.client();
            admin.declareQueue(QueueDeclaration.named(QUEUE).durable(true)).join();
            admin.bind(QUEUE, "", QUEUE).join();

            RelaisClient consumer = client(broker, 1, "consumer", events);
            consumer.subscribeQueue(QUEUE, SubscribeOptions.defaults().manualAck(true).prefetch(500), d -> {
                ByteBuffer p = ByteBuffer.wrap(d.payload());
                if (p.remaining() != SIZE || p.getLong(0) != p.getLong(SIZE - Long.BYTES)) {
                    damaged.incrementAndGet();
                }
                received.incrementAndGet();
                d.ack();
            }).join();

            RelaisClient producer = client(broker, 1000, "producer", events);
            Thread publishing = new Thread(() -> {
                long n = 0;
                while (!stop.get()) {
                    byte[] body = new byte[SIZE];
                    ByteBuffer.wrap(body).putLong(0, n).putLong(SIZE - Long.BYTES, n);
                    n++;
                    try {
                        producer.publishConfirmed(Message.builder(QUEUE).payload(body).persistent(true).build())
                                .whenComplete((ok, e) -> (e == null ? confirmed : failed).incrementAndGet());
                    } catch (RuntimeException e) {
                        events.add("producer: publish threw " + e);
                        return;
                    }
                }
            }, "large-producer");
            publishing.start();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long lastConfirmed = 0;
            while (System.nanoTime() < end) {
                Thread.sleep(1000);
                long c = confirmed.get();
                System.out.printf("large: confirmed %d (+%d/s), received %d, failed %d%n", c, c - lastConfirmed,
                        received.get(), failed.get());
                lastConfirmed = c;
            }
            stop.set(true);
            publishing.join(10_000);
            List<String> closes = lines.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains(" closed")).toList();
            closes.forEach(m -> System.out.println("large: broker: " + m));
            events.forEach(m -> System.out.println("large: client: " + m));
            assertThat(closes).as("connections the broker closed while the scenario ran").isEmpty();
            assertThat(events).as("connection events the clients saw").isEmpty();
            assertThat(confirmed.get()).as("confirmed").isPositive();
            assertThat(received.get()).as("received").isPositive();
            assertThat(damaged.get()).as("payloads not as sent").isZero();
            assertThat(failed.get()).as("publishes nacked").isZero();
        } finally {
            sessionLog.detachAppender(lines);
        }
    }

    private static RelaisClient client(BrokerFixture broker, int window, String who, List<String> events) {
        RelaisClient c = RelaisClient.builder().host("127.0.0.1").port(broker.port()).clientName(who)
                .reconnect(ReconnectPolicy.disabled()).backpressure(Backpressure.BLOCK).maxUnconfirmed(window)
                .heartbeat(Duration.ofSeconds(1)).connect();
        c.onConnectionEvent(e -> {
            // BLOCKED / UNBLOCKED are flow control doing its job (the queue's consumer is slower), not a loss.
            if (e.type() != ConnectionEvent.Type.CONNECTED && e.type() != ConnectionEvent.Type.BLOCKED
                    && e.type() != ConnectionEvent.Type.UNBLOCKED) {
                events.add(who + ": " + e.type() + " " + e.connectionId() + " "
                        + (e.cause() == null ? "" : e.cause().code() + " " + e.cause().getMessage()));
            }
        });
        return c;
    }
}
