package io.relais.broker.core.routing;

import io.relais.broker.core.queue.MessageQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The durable part of one topology as it is saved: durable exchanges, durable queues and the
 * bindings between them. Each change is saved through the {@link DefinitionsRepository} before the
 * topology makes it; a failed save (a {@code STORE_FAILED} refusal) leaves both unchanged.
 *
 * <p>Owned by the topology's thread, as is the topology it reads.
 */
final class DurableDefinitions {
    private final DefinitionsRepository repository;
    private final Collection<Exchange> exchanges;
    private final Collection<MessageQueue> queues;
    private final Set<BindingDefinition> bindings = new LinkedHashSet<>();

    /** Definitions saved to {@code repository}, read off the topology's live {@code exchanges} and {@code queues}. */
    DurableDefinitions(DefinitionsRepository repository, Collection<Exchange> exchanges,
                       Collection<MessageQueue> queues) {
        this.repository = repository;
        this.exchanges = exchanges;
        this.queues = queues;
    }

    /** True if a binding between these two is saved with them. */
    static boolean persistent(Exchange ex, MessageQueue q) {
        return ex.durable() && q.storesMessages();
    }

    /** A binding read back at recovery. */
    void recovered(BindingDefinition b) {
        bindings.add(b);
    }

    /** True if this binding is saved. */
    boolean contains(BindingDefinition b) {
        return bindings.contains(b);
    }

    void addExchange(ExchangeDefinition e) {
        List<ExchangeDefinition> list = exchanges();
        list.add(e);
        save(list, queues(), bindings);
    }

    /** Saves without the exchange and its bindings. */
    void removeExchange(String name) {
        Set<BindingDefinition> kept = new LinkedHashSet<>(bindings);
        kept.removeIf(b -> b.exchange().equals(name));
        List<ExchangeDefinition> list = exchanges();
        list.removeIf(e -> e.name().equals(name));
        save(list, queues(), kept);
        bindings.retainAll(kept);
    }

    void addQueue(QueueDefinition q) {
        List<QueueDefinition> list = queues();
        list.add(q);
        save(exchanges(), list, bindings);
    }

    /** Saves without the queue and its bindings. */
    void removeQueue(String name) {
        Set<BindingDefinition> kept = new LinkedHashSet<>(bindings);
        kept.removeIf(b -> b.queue().equals(name));
        List<QueueDefinition> list = queues();
        list.removeIf(d -> d.name().equals(name));
        save(exchanges(), list, kept);
        bindings.retainAll(kept);
    }

    void addBinding(BindingDefinition b) {
        Set<BindingDefinition> next = new LinkedHashSet<>(bindings);
        next.add(b);
        save(exchanges(), queues(), next);
        bindings.add(b);
    }

    void removeBinding(BindingDefinition b) {
        Set<BindingDefinition> next = new LinkedHashSet<>(bindings);
        next.remove(b);
        save(exchanges(), queues(), next);
        bindings.remove(b);
    }

    /** Saves what the topology holds now (after a change that could not be completed). */
    void saveAsIs() {
        save(exchanges(), queues(), bindings);
    }

    private List<ExchangeDefinition> exchanges() {
        List<ExchangeDefinition> list = new ArrayList<>();
        for (Exchange ex : exchanges) {
            if (ex.durable() && !ex.name().isEmpty()) {
                list.add(new ExchangeDefinition(ex.name(), ex.type(), ex.autoDelete()));
            }
        }
        list.sort(Comparator.comparing(ExchangeDefinition::name));
        return list;
    }

    private List<QueueDefinition> queues() {
        List<QueueDefinition> list = new ArrayList<>();
        for (MessageQueue q : queues) {
            if (q.storesMessages()) {
                list.add(new QueueDefinition(q.name(), q.autoDelete(), q.arguments().toMap()));
            }
        }
        list.sort(Comparator.comparing(QueueDefinition::name));
        return list;
    }

    private void save(List<ExchangeDefinition> ex, List<QueueDefinition> qs, Set<BindingDefinition> bs) {
        repository.save(new Definitions(ex, qs, List.copyOf(bs)));
    }
}
