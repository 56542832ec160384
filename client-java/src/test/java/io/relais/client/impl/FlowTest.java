package io.relais.client.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.client.ConnectionEvent;
import io.relais.client.Message;
import io.relais.client.RelaisClient;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Flow;
import io.relais.protocol.frame.Publish;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** FLOW from the broker (PROTOCOL.md 4.33): events for the application, and deadlines that stand still. */
class FlowTest {
    private MockServer server;
    private RelaisClient client;

    @AfterEach
    void tearDown() {
        MockServer.closeAll(client, server);
    }

    @Test
    void shouldAskForTheFlowCapability() throws Exception {
        server = new MockServer().script(f -> List.of()).start();
        client = RelaisClient.builder().server(server.address()).connect();
        assertThat(server.hello().get(5, TimeUnit.SECONDS).capabilities()).contains(ProtocolVersion.CAP_FLOW);
    }

    @Test
    void shouldReportBlockedAndUnblockedAndNotTimeOutAConfirmWhileTheBrokerDoesNotRead() throws Exception {
        server = new MockServer().script(f -> List.of()).start();
        client = RelaisClient.builder().server(server.address()).requestTimeout(Duration.ofMillis(300)).connect();
        BlockingQueue<ConnectionEvent> events = new LinkedBlockingQueue<>();
        client.onConnectionEvent(events::add);

        server.send(new Flow(true, "jobs", "queue 'jobs' is congested"));
        ConnectionEvent blocked = events.poll(5, TimeUnit.SECONDS);
        assertThat(blocked).isNotNull();
        assertThat(blocked.type()).isEqualTo(ConnectionEvent.Type.BLOCKED);
        assertThat(blocked.reason()).contains("jobs");
        assertThat(blocked.connectionId()).isEqualTo(client.connectionId());

        CompletableFuture<Void> confirmed = client.publishConfirmed(Message.of("jobs", new byte[] {1}));
        Publish p = server.take(Publish.class);
        TimeUnit.MILLISECONDS.sleep(900);
        assertThat(confirmed).as("three request timeouts while blocked").isNotDone();

        server.send(new Flow(false, "", "reading resumed"));
        ConnectionEvent unblocked = events.poll(5, TimeUnit.SECONDS);
        assertThat(unblocked).isNotNull();
        assertThat(unblocked.type()).isEqualTo(ConnectionEvent.Type.UNBLOCKED);
        server.send(new Confirm(p.seq(), true, false, 0));
        confirmed.get(5, TimeUnit.SECONDS);
        p.release();
    }

    @Test
    void shouldTimeOutAgainOnceTheBrokerReads() throws Exception {
        server = new MockServer().script(f -> List.of()).start();
        client = RelaisClient.builder().server(server.address()).requestTimeout(Duration.ofMillis(300)).connect();
        server.send(new Flow(true, "jobs", "congested"));
        server.send(new Flow(false, "", "reading resumed"));
        CompletableFuture<Void> confirmed = client.publishConfirmed(Message.of("jobs", new byte[] {1}));
        server.take(Publish.class).release();
        assertThat(confirmed).failsWithin(5, TimeUnit.SECONDS);
    }
}
