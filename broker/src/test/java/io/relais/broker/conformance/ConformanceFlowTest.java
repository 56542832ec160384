package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Flow;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.QueueDeclare;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 7.8 point 3 (queue flow control), 4.33 (FLOW) and 5.2.3 (overflow {@code block},
 * {@code flow-max-delay}), against a broker with the default configuration.
 */
@DisplayName("7.8, 4.33 Queue flow control")
class ConformanceFlowTest {
    private static final List<String> WITH_FLOW = ProtocolVersion.CAPABILITIES;
    @RegisterExtension
    static final ConformanceBroker BROKER = new ConformanceBroker(c -> c);

    private static void declareBlockQueue(Peer peer, String queue, long maxLength) throws IOException {
        peer.declareQueue(queue, Map.of("overflow", "block", "max-length", maxLength, "flow-max-delay", 0L));
        peer.bind(queue, "", queue);
    }

    /** Publishes with confirms until FLOW(blocked) comes; returns how many were published. */
    private static int publishUntilBlocked(Peer peer, String queue, List<Frame> seen) throws IOException {
        int published = 0;
        while (Peer.all(seen, Flow.class).isEmpty() && published < 100) {
            seen.addAll(peer.publishAcked(queue, "m" + published));
            published++;
        }
        return published;
    }

    @Test
    @DisplayName("7.8 point 3, 4.33: a publisher into a congested block queue gets FLOW(blocked, queue) and is not "
            + "read until the queue drains to half; what it sent meanwhile is then processed; others are not slowed")
    void shouldStopReadingAPublisherIntoACongestedQueueUntilItDrains() throws IOException, InterruptedException {
        Peer publisher = BROKER.open(WITH_FLOW);
        Peer other = BROKER.open(WITH_FLOW);
        declareBlockQueue(publisher, "flow.a", 3);
        other.declareBoundQueue("flow.b");

        List<Frame> seen = new ArrayList<>();
        int published = publishUntilBlocked(publisher, "flow.a", seen);
        Flow blocked = Peer.only(seen, Flow.class);
        assertThat(blocked.blocked()).isTrue();
        assertThat(blocked.queue()).isEqualTo("flow.a");
        assertThat(blocked.reason()).contains("flow.a");
        // At least 3 (max-length 3); how many more depends on when the queue's loop looks, which a loaded
        // machine delays (14 seen once).
        assertThat(published).as("publishes until FLOW (max-length 3)").isBetween(3, 100);

        // Two more, not read while the queue is congested: no CONFIRM, the queue does not grow.
        long seq1 = publisher.nextSeq();
        long seq2 = publisher.nextSeq();
        publisher.sendTogether(List.of(Peer.publish(seq1, "", "flow.a", "late 1"), Peer.publish(seq2, "", "flow.a",
                "late 2")));
        TimeUnit.MILLISECONDS.sleep(300);
        assertThat(other.passive("flow.a").messageCount()).isEqualTo(published);

        // Another connection publishing into another queue is not slowed.
        for (int i = 0; i < 50; i++) {
            other.publishAcked("flow.b", "b" + i);
        }

        // A consumer drains the queue: FLOW(blocked false), then the two waiting publishes are confirmed.
        Peer consumer = BROKER.open(WITH_FLOW);
        consumer.subscribe(1, "flow.a", false, 0);
        ConfirmLedger ledger = new ConfirmLedger();
        ledger.published(seq1);
        ledger.published(seq2);
        List<Frame> after = publisher.readConfirms(ledger);
        Flow resumed = Peer.only(after, Flow.class);
        assertThat(resumed.blocked()).isFalse();
        assertThat(resumed.queue()).isEmpty();
        assertThat(after.indexOf(resumed)).as("FLOW(false) before the late confirms")
                .isLessThan(after.indexOf(Peer.all(after, Confirm.class).get(0)));
        assertThat(ledger.acked(seq1)).isTrue();
        assertThat(ledger.acked(seq2)).isTrue();
        List<Frame> deliveries = consumer.readUntil(frames -> Peer.all(frames, Deliver.class).size() == published + 2);
        assertThat(Peer.all(deliveries, Deliver.class)).hasSize(published + 2);
    }

    @Test
    @DisplayName("7.8 point 3: a connection is not stopped by a queue it consumes from itself")
    void shouldNotStopAConnectionThatConsumesTheCongestedQueue() throws IOException {
        Peer peer = BROKER.open(WITH_FLOW);
        declareBlockQueue(peer, "flow.self", 2);
        peer.subscribe(1, "flow.self", true, 1);
        List<Frame> seen = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            seen.addAll(peer.publishAcked("flow.self", "m" + i));
        }
        if (Peer.all(seen, Deliver.class).isEmpty()) {
            seen.addAll(peer.readUntil(frames -> !Peer.all(frames, Deliver.class).isEmpty()));
        }
        assertThat(Peer.all(seen, Deliver.class)).as("prefetch 1").hasSize(1);
        assertThat(Peer.all(seen, Flow.class)).isEmpty();
        assertThat(peer.passive("flow.self").messageCount()).isEqualTo(9);
    }

    @Test
    @DisplayName("7.8 point 3: without the flow capability the publisher is stopped all the same, without FLOW")
    void shouldStopWithoutFlowFramesWhenTheCapabilityIsNotEffective() throws IOException, InterruptedException {
        Peer publisher = BROKER.open(ProtocolVersion.V1_CAPABILITIES);
        Peer other = BROKER.open(WITH_FLOW);
        declareBlockQueue(publisher, "flow.quiet", 2);
        List<Frame> seen = new ArrayList<>();
        seen.addAll(publisher.publishAcked("flow.quiet", "m0"));
        seen.addAll(publisher.publishAcked("flow.quiet", "m1"));
        // The queue is congested once its loop has seen the two: the next publish at the latest is
        // taken, then reading stops. Sent 300 ms apart, the second of two more is never read.
        TimeUnit.MILLISECONDS.sleep(100);
        publisher.send(Peer.publish(0, "", "flow.quiet", "late 1"));
        TimeUnit.MILLISECONDS.sleep(300);
        publisher.send(Peer.publish(0, "", "flow.quiet", "late 2"));
        TimeUnit.MILLISECONDS.sleep(300);
        assertThat(other.passive("flow.quiet").messageCount()).as("ready: the second late publish was not read")
                .isBetween(2L, 3L);
        assertThat(Peer.all(seen, Flow.class)).isEmpty();
    }

    @Test
    @DisplayName("5.2.3: overflow takes block, drop-head or reject-publish (default drop-head with a length limit, "
            + "block without); flow-max-delay only with block")
    void shouldValidateTheFlowArguments() throws IOException {
        Peer peer = BROKER.open(WITH_FLOW);
        peer.declareQueue("flow.args1", Map.of("overflow", "block", "flow-max-delay", 5L));
        assertThat(peer.callError(id -> new QueueDeclare(id, "flow.args2", false, false, false, false,
                Map.of("overflow", "drop-head", "flow-max-delay", 5L)), ErrorCode.INVALID_ARGUMENT).message())
                .contains("flow-max-delay", "block");
        assertThat(peer.callError(id -> new QueueDeclare(id, "flow.args3", false, false, false, false,
                Map.of("overflow", "slow")), ErrorCode.INVALID_ARGUMENT).message()).contains("'block'");
        assertThat(peer.callError(id -> new QueueDeclare(id, "flow.args4", false, false, false, false,
                Map.of("flow-max-delay", -1L)), ErrorCode.INVALID_ARGUMENT).message()).contains("flow-max-delay");
        assertThat(peer.callError(id -> new QueueDeclare(id, "flow.args5", false, false, false, false,
                Map.of("max-length", 5L, "flow-max-delay", 5L)), ErrorCode.INVALID_ARGUMENT).message())
                .as("max-length alone means drop-head").contains("flow-max-delay", "'drop-head'");
    }
}
