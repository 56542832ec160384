package io.relais.broker.core.routing;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.OwnerLoop;
import io.relais.broker.core.Reason;
import io.relais.broker.core.queue.Backlog;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.queue.QueueArguments;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a topology at start-up from what earlier runs saved: durable exchanges, durable queues
 * with their stored messages, the bindings between them; then deletes the stores of queues that no
 * longer exist. Runs once, before the broker serves clients, on the starting thread.
 */
final class TopologyRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(TopologyRecovery.class);

    private TopologyRecovery() {
    }

    /**
     * @throws CoreException with {@code STORE_FAILED} if the definitions or a queue's store cannot
     *     be read; the message says what and where
     */
    static void recover(Topology topology, DefinitionsRepository definitions, QueueStorage storage,
                        Supplier<OwnerLoop> loops) {
        long start = System.nanoTime();
        String vhost = topology.vhost();
        Definitions d = definitions.load();
        for (ExchangeDefinition e : d.exchanges()) {
            topology.restore(new Exchange(vhost, e.name(), e.type(), true, e.autoDelete()));
        }
        Set<String> known = new HashSet<>();
        long messages = 0;
        for (QueueDefinition qd : d.queues()) {
            QueueArguments args;
            try {
                args = QueueArguments.parse(qd.arguments());
            } catch (IllegalArgumentException e) {
                throw new CoreException(Reason.STORE_FAILED, "queue '" + qd.name() + "' in "
                        + definitions.location() + " has bad arguments: " + e.getMessage());
            }
            known.add(qd.name());
            Backlog backlog = storage.open(vhost, qd.name());
            messages += backlog.recoveredCount();
            topology.restore(new MessageQueue(vhost, qd.name(), true, false, qd.autoDelete(), args, null,
                    loops.get(), topology, backlog, topology.flowLimits()));
        }
        for (BindingDefinition b : d.bindings()) {
            Exchange ex = topology.exchange(b.exchange());
            MessageQueue q = topology.queue(b.queue());
            if (ex == null || q == null) {
                throw new CoreException(Reason.STORE_FAILED, "binding of queue '" + b.queue() + "' to exchange '"
                        + b.exchange() + "' in " + definitions.location() + " names a "
                        + (ex == null ? "exchange" : "queue") + " that the file does not define; restore the file "
                        + "from a backup");
            }
            topology.restore(b, ex, q);
        }
        storage.retainOnly(vhost, known);
        if (!d.queues().isEmpty() || !d.exchanges().isEmpty()) {
            LOG.info("recovered {} durable exchanges, {} durable queues holding {} messages, {} bindings in {} ms",
                    d.exchanges().size(), d.queues().size(), messages, d.bindings().size(),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }
}
