package io.relais.client.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.relais.client.Backpressure;
import io.relais.client.ConfirmListener;
import io.relais.client.ConnectionEvent;
import io.relais.client.Message;
import io.relais.client.NoRouteException;
import io.relais.client.Publisher;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.Return;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The publisher with a confirm listener (issue 11): numbering, coalesced reports, failures, reconnects. */
class PublisherTest {
    private MockServer server;
    private RelaisClient client;
    private final Recorder listener = new Recorder();

    /** One call the listener received. */
    private record Report(String kind, long seq, boolean multiple, RelaisException cause) {
        @Override
        public String toString() {
            return kind + "(" + seq + (multiple ? ", multiple" : "") + (cause == null ? "" : ", " + cause) + ")";
        }
    }

    /** Records every call, with the thread it came on. */
    private static final class Recorder implements ConfirmListener {
        final LinkedBlockingQueue<Report> reports = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<String> threads = new LinkedBlockingQueue<>();

        @Override
        public void confirmed(long seq, boolean multiple) {
            threads.add(Thread.currentThread().getName());
            reports.add(new Report("confirmed", seq, multiple, null));
        }

        @Override
        public void nacked(long seq, RelaisException cause, boolean multiple) {
            threads.add(Thread.currentThread().getName());
            reports.add(new Report("nacked", seq, multiple, cause));
        }

        Report next() throws InterruptedException {
            Report r = reports.poll(5, TimeUnit.SECONDS);
            assertThat(r).as("a report within 5 s").isNotNull();
            return r;
        }
    }

    private void connect(RelaisClient.Builder options) throws Exception {
        client = options.server(server.address()).connectTimeout(Duration.ofMillis(500))
                .requestTimeout(Duration.ofSeconds(5)).connect();
    }

    @AfterEach
    void tearDown() {
        MockServer.closeAll(client, server);
    }

    private static Message message(int i) {
        return Message.of("k", new byte[] {(byte) i});
    }

    @Test
    void shouldNumberPublishesAndReportTheBrokersCoalescedConfirmAsOneMultipleWhenTheBrokerCoalesces()
            throws Exception {
        connect(server().clientBuilder());
        Publisher publisher = client.publisher(listener);

        assertThat(publisher.publish(message(1))).isEqualTo(1);
        assertThat(publisher.publish(message(2))).isEqualTo(2);
        assertThat(publisher.publish(message(3))).isEqualTo(3);
        long[] wire = {server.take(Publish.class).seq(), server.take(Publish.class).seq(),
            server.take(Publish.class).seq()};
        assertThat(wire).containsExactly(1, 2, 3);

        server.send(new Confirm(3, true, true, 0));
        assertThat(listener.next()).isEqualTo(new Report("confirmed", 3, true, null));

        assertThat(publisher.publish(message(4))).isEqualTo(4);
        server.send(new Confirm(server.take(Publish.class).seq(), true, false, 0));
        assertThat(listener.next()).isEqualTo(new Report("confirmed", 4, false, null));
        assertThat(listener.threads.poll()).as("listeners run on the network thread").startsWith("relais-client-io");
    }

    /** A server of its own, so that a test can choose the client options. */
    private MockServer server() throws InterruptedException {
        server = new MockServer().start();
        return server;
    }

    @Test
    void shouldReportBrokerRefusalsAndReturnsWithTheirCausesWhenNacked() throws Exception {
        connect(server().clientBuilder());
        Publisher publisher = client.publisher(listener);
        publisher.publish(Message.builder("nowhere").payload("a").mandatory(true).build());
        publisher.publish(message(2));
        publisher.publish(message(3));
        Publish returned = server.take(Publish.class);
        server.take(Publish.class);
        server.take(Publish.class);

        server.send(new Return(returned.seq(), ErrorCode.NO_ROUTE.code(), "no route", "", "nowhere", Properties.EMPTY,
                Unpooled.wrappedBuffer(new byte[] {'a'})), new Confirm(1, true, false, 0),
                new Confirm(2, false, false, ErrorCode.QUEUE_FULL.code()), new Confirm(3, true, false, 0));

        Report first = listener.next();
        assertThat(first.kind()).isEqualTo("nacked");
        assertThat(first.seq()).isEqualTo(1);
        assertThat(first.cause()).isInstanceOf(NoRouteException.class);
        Report second = listener.next();
        assertThat(second.seq()).isEqualTo(2);
        assertThat(second.cause().code()).isEqualTo(ErrorCode.QUEUE_FULL);
        assertThat(listener.next()).isEqualTo(new Report("confirmed", 3, false, null));
    }

    @Test
    void shouldReportEveryUnconfirmedPublishOnceAndKeepNumberingWhenTheConnectionIsLostAndMadeAgain()
            throws Exception {
        LinkedBlockingQueue<ConnectionEvent> events = new LinkedBlockingQueue<>();
        connect(server().clientBuilder().reconnect(ReconnectPolicy.fixed(Duration.ofMillis(10))));
        client.onConnectionEvent(events::add);
        Publisher publisher = client.publisher(listener);
        for (int i = 1; i <= 3; i++) {
            publisher.publish(message(i));
            server.take(Publish.class);
        }

        server.dropClient();

        Report lost = listener.next();
        assertThat(lost.kind()).isEqualTo("nacked");
        assertThat(lost.seq()).isEqualTo(3);
        assertThat(lost.multiple()).as("one report for the three").isTrue();
        assertThat(lost.cause()).hasMessageContaining("connection closed");
        awaitEvent(events, ConnectionEvent.Type.RESUBSCRIBED);

        assertThat(publisher.publish(message(4))).isEqualTo(4);
        Publish again = server.take(Publish.class);
        assertThat(again.seq()).as("the wire numbering restarts on the new connection").isEqualTo(1);
        server.send(new Confirm(1, true, false, 0));
        assertThat(listener.next()).isEqualTo(new Report("confirmed", 4, false, null));
    }

    private static void awaitEvent(LinkedBlockingQueue<ConnectionEvent> events, ConnectionEvent.Type type)
            throws InterruptedException {
        while (true) {
            ConnectionEvent e = events.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("a %s event", type).isNotNull();
            if (e.type() == type) {
                return;
            }
        }
    }

    @Test
    void shouldRefuseAtOnceWithoutTakingANumberWhenTheWindowIsFullAndBackpressureFails() throws Exception {
        connect(server().clientBuilder().maxUnconfirmed(2).backpressure(Backpressure.FAIL));
        Publisher publisher = client.publisher(listener);
        publisher.publish(message(1));
        publisher.publish(message(2));

        assertThatThrownBy(() -> publisher.publish(message(3))).isInstanceOf(RelaisException.class)
                .hasMessageContaining("2 publishes are waiting for their confirms");

        server.take(Publish.class);
        server.take(Publish.class);
        server.send(new Confirm(1, true, false, 0));
        assertThat(listener.next()).isEqualTo(new Report("confirmed", 1, false, null));
        assertThat(publisher.publish(message(3))).as("the refused publish took no number").isEqualTo(3);
    }

    @Test
    void shouldShareTheConnectionWithFuturePublishesAndSettleEachWhenOneConfirmCoversBoth() throws Exception {
        connect(server().clientBuilder());
        Publisher publisher = client.publisher(listener);
        Recorder other = new Recorder();
        Publisher second = client.publisher(other);

        publisher.publish(message(1));
        CompletableFuture<Void> future = client.publishConfirmed(message(2));
        publisher.publish(message(3));
        second.publish(message(4));
        publisher.publish(message(5));
        for (int i = 0; i < 5; i++) {
            server.take(Publish.class);
        }

        server.send(new Confirm(5, true, true, 0));

        // The first publisher's numbers are 1, 2, 3 (messages 1, 3, 5); the run of its 1 and 2 is broken by the
        // other publisher's 1, so its 3 is reported on its own.
        future.get(5, TimeUnit.SECONDS);
        assertThat(listener.next()).isEqualTo(new Report("confirmed", 2, true, null));
        assertThat(other.next()).isEqualTo(new Report("confirmed", 1, false, null));
        assertThat(listener.next()).isEqualTo(new Report("confirmed", 3, false, null));
        assertThat(listener.reports).isEmpty();
    }

    @Test
    void shouldSendWithoutConfirmAndRefuseAtOnceWhenClosedWhenPublishingAndForgetting() throws Exception {
        connect(server().clientBuilder());

        client.publishAndForget(Message.builder("k").exchange("x").payload("fire").build());

        Publish p = server.take(Publish.class);
        assertThat(p.seq()).isZero();
        assertThat(p.exchange()).isEqualTo("x");
        client.close();
        assertThatThrownBy(() -> client.publishAndForget(message(1))).isInstanceOf(RelaisException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void shouldFailAtOnceWhenTheClientIsClosed() throws Exception {
        connect(server().clientBuilder());
        Publisher publisher = client.publisher(listener);
        client.close();

        assertThatThrownBy(() -> publisher.publish(message(1))).isInstanceOf(RelaisException.class)
                .hasMessageContaining("closed");
        assertThat(listener.reports).isEmpty();
    }
}
