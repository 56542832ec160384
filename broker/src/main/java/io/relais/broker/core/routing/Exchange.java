package io.relais.broker.core.routing;

import io.relais.broker.core.queue.MessageQueue;
import java.util.function.Consumer;

/**
 * An exchange: a name, a type, and the bindings that route its messages to queues.
 *
 * <p>The bindings are an immutable {@link BindingTable} published through a volatile field:
 * publishers on any thread route without locks, while {@link Topology} replaces the table under its
 * own lock when bindings change.
 */
public final class Exchange {
    private final String vhost;
    private final String name;
    private final String type;
    private final boolean durable;
    private final boolean autoDelete;
    private volatile BindingTable<MessageQueue> bindings;
    private boolean hadBinding;

    Exchange(String vhost, String name, String type, boolean durable, boolean autoDelete) {
        this.vhost = vhost;
        this.name = name;
        this.type = type;
        this.durable = durable;
        this.autoDelete = autoDelete;
        this.bindings = BindingTable.forType(type);
    }

    /** The virtual host it belongs to. */
    public String vhost() {
        return vhost;
    }

    /** Its name, unique in its vhost; empty for the default exchange. */
    public String name() {
        return name;
    }

    /** {@code topic}, {@code direct} or {@code fanout}. */
    public String type() {
        return type;
    }

    /** True if it survives a restart. */
    public boolean durable() {
        return durable;
    }

    /** True if it is deleted when its last binding goes. */
    public boolean autoDelete() {
        return autoDelete;
    }

    /** True for the topic exchange: patterns may hold {@code *} and {@code #}. */
    public boolean isTopic() {
        return "topic".equals(type);
    }

    /** Calls {@code sink} once for each queue bound for {@code routingKey}. Any thread, lock-free. */
    public void route(String routingKey, Consumer<? super MessageQueue> sink) {
        bindings.match(routingKey, sink);
    }

    /** Its bindings now. */
    public BindingTable<MessageQueue> bindings() {
        return bindings;
    }

    /** Replaces the bindings; only {@link Topology}, under its lock. */
    void bindings(BindingTable<MessageQueue> table) {
        if (table.size() > 0) {
            hadBinding = true;
        }
        this.bindings = table;
    }

    /** True when an auto-delete exchange has lost its last binding. Under the topology lock. */
    boolean unused() {
        return autoDelete && hadBinding && bindings.size() == 0;
    }
}
