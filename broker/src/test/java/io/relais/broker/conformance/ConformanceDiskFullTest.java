package io.relais.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.store.FsyncPolicy;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PROTOCOL.md 4.22 (the 1007 DISK_FULL row) and 6.4, against a broker whose free-disk threshold
 * (1 EiB) no disk meets, so it is below it from the start (and starts read-only; declaring a durable
 * queue still works, as it needs only the disk's floor of 1 MiB).
 */
@DisplayName("4.22, 6.4 Publishing below the free-disk threshold")
class ConformanceDiskFullTest {
    private static final String QUEUE = "disk.durable";
    @RegisterExtension
    static final ConformanceBroker BROKER = new ConformanceBroker(c -> c.withStore(FsyncPolicy.DEFAULT, 1L << 60));
    private final Peer peer;

    ConformanceDiskFullTest(Peer peer) {
        this.peer = peer;
    }

    @BeforeAll
    static void declareTheDurableQueue() throws IOException {
        try (Peer p = Peer.open(BROKER.port())) {
            p.patiently(() -> {
                p.call(id -> new QueueDeclare(id, QUEUE, true, false, false, false, Map.of()), QueueDeclareOk.class);
                p.bind(QUEUE, "", QUEUE);
            });
        }
    }

    @Test
    @DisplayName("4.22 errors, 6.4: a persistent publish to a durable queue is CONFIRM(seq, false, false, 1007), not "
            + "routed")
    void shouldNackPersistentPublishes() throws IOException {
        peer.send(Peer.publish(1, "", QUEUE, Publish.PERSISTENT, null, "x"));
        assertThat(peer.expect(Confirm.class)).isEqualTo(new Confirm(1, false, false, ErrorCode.DISK_FULL.code()));
        assertThat(peer.passive(QUEUE).messageCount()).isZero();
    }

    @Test
    @DisplayName("4.22 errors, 6.4: a persistent publish with seq 0 to a durable queue is ERROR(0, 1007)")
    void shouldRefusePersistentPublishesWithoutSeq() throws IOException {
        peer.send(Peer.publish(0, "", QUEUE, Publish.PERSISTENT, null, "x"));
        peer.expectError(0, ErrorCode.DISK_FULL);
        peer.expectOpen();
    }

    @Test
    @DisplayName("6.4: a non-persistent publish to a durable queue is CONFIRM(seq, false, false, 1007) too: the queue "
            + "would write it to disk")
    void shouldNackTransientPublishesToDurableQueues() throws IOException {
        peer.send(Peer.publish(1, "", QUEUE, 0, null, "transient"));
        assertThat(peer.expect(Confirm.class)).isEqualTo(new Confirm(1, false, false, ErrorCode.DISK_FULL.code()));
        assertThat(peer.passive(QUEUE).messageCount()).isZero();
    }

    @Test
    @DisplayName("6.4: a publish to a non-durable queue is still acked")
    void shouldAckPublishesToQueuesInMemory() throws IOException {
        peer.patiently(() -> {
            peer.call(id -> new QueueDeclare(id, "disk.transient", false, false, false, false, Map.of()),
                    QueueDeclareOk.class);
            peer.bind("disk.transient", "", "disk.transient");
        });
        peer.send(Peer.publish(1, "", "disk.transient", Publish.PERSISTENT, null, "in memory"));
        assertThat(peer.expect(Confirm.class)).isEqualTo(new Confirm(1, true, false, 0));
    }
}
