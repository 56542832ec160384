package io.relais.broker.core.manage;

import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.routing.Binding;
import io.relais.broker.core.routing.Exchange;
import io.relais.broker.core.routing.Topology;
import io.relais.broker.core.vhost.VirtualHosts;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The read-only view of the broker that listings, metrics and an admin API read: snapshots of
 * virtual hosts, connections, and of one virtual host's exchanges, queues (depth, rates,
 * consumers) and bindings, each sorted by name.
 *
 * <p>Thread-safe: snapshots read lock-free state; the rate samples are kept under this object's
 * lock, which only management calls take (never the per-message path).
 */
public final class ManagementView {
    private record Sample(long nanos, long enqueued, long delivered) {
    }

    private final VirtualHosts vhosts;
    private final Collection<? extends ConnectionSource> connections;
    private final Map<MessageQueue, Sample> samples = new WeakHashMap<>();

    /** A view of the virtual hosts and of the live {@code connections} (a concurrent collection). */
    public ManagementView(VirtualHosts vhosts, Collection<? extends ConnectionSource> connections) {
        this.vhosts = vhosts;
        this.connections = connections;
    }

    /** Every virtual host, with its queue and connection counts, sorted by name. */
    public List<VhostSnapshot> vhosts() {
        Map<String, Long> perVhost = new HashMap<>();
        for (ConnectionSource c : connections) {
            perVhost.merge(c.snapshot().vhost(), 1L, Long::sum);
        }
        List<VhostSnapshot> list = new ArrayList<>();
        for (String name : vhosts.names()) {
            Topology t = vhosts.get(name);
            if (t != null) {
                list.add(new VhostSnapshot(name, t.queues().size(), perVhost.getOrDefault(name, 0L)));
            }
        }
        return list;
    }

    /** Every exchange of {@code topology} (one virtual host). */
    public List<ExchangeSnapshot> exchanges(Topology topology) {
        List<ExchangeSnapshot> list = new ArrayList<>();
        for (Exchange ex : topology.exchanges()) {
            list.add(new ExchangeSnapshot(ex.vhost(), ex.name(), ex.type(), ex.durable(), ex.autoDelete(),
                    ex.bindings().size()));
        }
        list.sort(Comparator.comparing(ExchangeSnapshot::name));
        return list;
    }

    /** Every queue of {@code topology} (one virtual host), with rates since the previous call. */
    public synchronized List<QueueSnapshot> queues(Topology topology) {
        long now = System.nanoTime();
        List<QueueSnapshot> list = new ArrayList<>();
        for (MessageQueue q : topology.queues()) {
            Sample current = new Sample(now, q.enqueuedTotal(), q.deliveredTotal());
            Sample previous = samples.put(q, current);
            double enqueueRate = 0;
            double deliverRate = 0;
            if (previous != null && now > previous.nanos()) {
                double seconds = (now - previous.nanos()) / 1e9;
                enqueueRate = (current.enqueued() - previous.enqueued()) / seconds;
                deliverRate = (current.delivered() - previous.delivered()) / seconds;
            }
            list.add(new QueueSnapshot(q.vhost(), q.name(), q.durable(), q.exclusive(), q.autoDelete(),
                    q.messageCount(), q.unackedCount(), q.consumerCount(), enqueueRate, deliverRate));
        }
        list.sort(Comparator.comparing(QueueSnapshot::name));
        return list;
    }

    /** Every binding of {@code topology} (one virtual host). */
    public List<Binding> bindings(Topology topology) {
        List<Binding> list = new ArrayList<>(topology.bindings());
        list.sort(Comparator.comparing(Binding::exchange).thenComparing(Binding::queue).thenComparing(Binding::key));
        return list;
    }

    /** Every live connection. */
    public List<ConnectionSnapshot> connections() {
        List<ConnectionSnapshot> list = new ArrayList<>();
        for (ConnectionSource c : connections) {
            list.add(c.snapshot());
        }
        list.sort(Comparator.comparing(ConnectionSnapshot::id));
        return list;
    }
}
