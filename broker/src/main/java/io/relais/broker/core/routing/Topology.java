package io.relais.broker.core.routing;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.Names;
import io.relais.broker.core.OwnerLoop;
import io.relais.broker.core.Reason;
import io.relais.broker.core.access.Access;
import io.relais.broker.core.access.AccessControl;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.access.ResourceKind;
import io.relais.broker.core.queue.Backlog;
import io.relais.broker.core.queue.MemoryBacklog;
import io.relais.broker.core.queue.Message;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.queue.QueueArguments;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One virtual host's model: every exchange, queue and binding, and the operations that change them.
 *
 * <p>Threading: one owner thread (the definitions thread, never a network event loop) runs every
 * change; each change is a method returning a {@link CompletableFuture} that completes there, or
 * exceptionally with a {@link CoreException}. Durable exchanges, durable queues and the bindings
 * between them are saved in the {@link DefinitionsRepository} on that thread before a change takes
 * effect, and durable queues' stores are opened there. Lookups ({@link #exchange}, {@link #queue})
 * are lock-free reads of concurrent maps, for the per-message path on any thread; changes publish
 * new immutable binding tables to the exchanges.
 *
 * <p>Every change is checked with the {@link AccessControl} first.
 */
public final class Topology implements MessageQueue.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(Topology.class);
    /** Name of the default topic exchange, which always exists. */
    public static final String DEFAULT_EXCHANGE = "";
    private static final List<String> TYPES = List.of("topic", "direct", "fanout");

    private final String vhost;
    private final Map<String, Exchange> exchanges = new ConcurrentHashMap<>();
    private final Map<String, MessageQueue> queues = new ConcurrentHashMap<>();
    private final Set<Binding> bindings = new LinkedHashSet<>();
    private volatile List<Binding> bindingSnapshot = List.of();
    private final Executor owner;
    private final Supplier<OwnerLoop> loops;
    private final DefinitionsRepository definitions;
    private final DurableDefinitions durable;
    private final QueueStorage storage;
    private final AccessControl access;
    /** Deletions of queues already out of the maps whose backlogs are still closing; shutdown waits for them. */
    private final Map<String, CompletableFuture<Long>> deleting = new ConcurrentHashMap<>();

    /**
     * @param owner the thread every change runs on
     * @param loops picks the loop that owns a new queue
     * @param definitions where durable definitions are saved
     * @param storage where durable queues keep their messages
     * @param access the check made before every operation
     */
    public Topology(String vhost, Executor owner, Supplier<OwnerLoop> loops, DefinitionsRepository definitions,
                    QueueStorage storage, AccessControl access) {
        this.vhost = vhost;
        this.owner = owner;
        this.loops = loops;
        this.definitions = definitions;
        this.durable = new DurableDefinitions(definitions, exchanges.values(), queues.values());
        this.storage = storage;
        this.access = access;
        exchanges.put(DEFAULT_EXCHANGE, new Exchange(vhost, DEFAULT_EXCHANGE, "topic", true, false));
    }

    /** The virtual host. */
    public String vhost() {
        return vhost;
    }

    /** The access check. */
    public AccessControl access() {
        return access;
    }

    /**
     * Rebuilds the durable exchanges, queues (with their stored messages) and bindings saved by
     * earlier runs, and deletes stores of queues that no longer exist. Call once, before serving
     * clients, on any one thread.
     *
     * @throws CoreException with {@code STORE_FAILED} if the definitions or a queue's store cannot
     *     be read; the message says what and where
     */
    public void recover() {
        TopologyRecovery.recover(this, definitions, storage, loops);
    }

    void restore(Exchange ex) {
        exchanges.put(ex.name(), ex);
    }

    void restore(MessageQueue q) {
        queues.put(q.name(), q);
    }

    void restore(BindingDefinition b, Exchange ex, MessageQueue q) {
        ex.bindings(ex.bindings().with(b.pattern(), q));
        durable.recovered(b);
        bindings.add(new Binding(b.exchange(), b.queue(), b.pattern()));
        publishBindings();
    }

    /** Runs {@code change} on the owner thread. */
    private <T> CompletableFuture<T> onOwner(Supplier<T> change) {
        CompletableFuture<T> done = new CompletableFuture<>();
        owner.execute(() -> {
            try {
                done.complete(change.get());
            } catch (RuntimeException e) {
                if (!(e instanceof CoreException)) {
                    LOG.error("a topology change failed", e);
                }
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private void publishBindings() {
        bindingSnapshot = List.copyOf(bindings);
    }

    // ------------------------------------------------------------------ dead letters, auto-delete

    @Override
    public void deadLetter(String exchange, String routingKey, Message message) {
        Exchange ex = exchanges.get(exchange);
        if (ex == null) {
            LOG.debug("dead-letter exchange '{}' does not exist; message dropped", exchange);
            message.release();
            return;
        }
        TopologyChecks.offerDeadLetter(ex, routingKey, message);
    }

    @Override
    public CompletableFuture<?> unused(MessageQueue queue) {
        return onOwner(() -> queues.get(queue.name()) == queue ? removeQueue(queue)
                : CompletableFuture.completedFuture(0L)).thenCompose(deleted -> deleted).exceptionally(e -> {
            LOG.error("could not auto-delete {}: {}", queue, e.getMessage());
            return null;
        });
    }

    // ------------------------------------------------------------------ lookups (any thread)

    /** The exchange with this name, or null. Lock-free. */
    public Exchange exchange(String name) {
        return exchanges.get(name);
    }

    /** The queue with this name, or null. Lock-free. */
    public MessageQueue queue(String name) {
        return queues.get(name);
    }

    /** Every queue, for monitoring; a weakly consistent view. */
    public Collection<MessageQueue> queues() {
        return queues.values();
    }

    /** Every exchange, for monitoring; a weakly consistent view. */
    public Collection<Exchange> exchanges() {
        return exchanges.values();
    }

    /** Every binding as of the last change. */
    public List<Binding> bindings() {
        return bindingSnapshot;
    }

    /**
     * The queue {@code caller} may consume from; refuses missing and foreign exclusive queues, and
     * callers without read access. Any thread.
     */
    public MessageQueue consumableQueue(Caller caller, String name) {
        MessageQueue q = accessibleQueue(caller, name);
        access.check(caller, ResourceKind.QUEUE, name, Access.READ);
        return q;
    }

    // ------------------------------------------------------------------ exchanges

    /** Declares an exchange, or checks an existing one. */
    public CompletableFuture<Void> declareExchange(Caller caller, String name, String type, boolean durable,
                                                   boolean autoDelete, boolean passive) {
        return onOwner(() -> {
            Names.checkLength("exchange name", name);
            access.check(caller, ResourceKind.EXCHANGE, name, Access.CONFIGURE);
            Exchange existing = exchanges.get(name);
            if (passive) {
                if (existing == null) {
                    throw new CoreException(Reason.NOT_FOUND, "no exchange '" + name + "'");
                }
                return null;
            }
            if (name.isEmpty()) {
                throw new CoreException(Reason.PRECONDITION_FAILED, "the default exchange cannot be declared");
            }
            if (!TYPES.contains(type)) {
                throw new CoreException(Reason.INVALID_ARGUMENT, "exchange type must be topic, direct or fanout, not '"
                        + type + "'");
            }
            if (existing != null) {
                if (!existing.type().equals(type) || existing.durable() != durable
                        || existing.autoDelete() != autoDelete) {
                    throw new CoreException(Reason.PRECONDITION_FAILED, "exchange '" + name + "' exists as "
                            + TopologyChecks.describe(existing.type(), existing.durable(), existing.autoDelete()) + ", not "
                            + TopologyChecks.describe(type, durable, autoDelete));
                }
                return null;
            }
            Names.checkNotReserved("exchange", name);
            if (durable) {
                this.durable.addExchange(new ExchangeDefinition(name, type, autoDelete));
            }
            exchanges.put(name, new Exchange(vhost, name, type, durable, autoDelete));
            return null;
        });
    }

    /** Deletes an exchange and its bindings. */
    public CompletableFuture<Void> deleteExchange(Caller caller, String name, boolean ifUnused) {
        return onOwner(() -> {
            if (name.isEmpty()) {
                throw new CoreException(Reason.PRECONDITION_FAILED, "the default exchange cannot be deleted");
            }
            access.check(caller, ResourceKind.EXCHANGE, name, Access.CONFIGURE);
            Exchange ex = existingExchange(name);
            if (ifUnused && ex.bindings().size() > 0) {
                throw new CoreException(Reason.PRECONDITION_FAILED, "exchange '" + name + "' has "
                        + ex.bindings().size() + " bindings");
            }
            removeExchange(ex);
            return null;
        });
    }

    private void removeExchange(Exchange ex) {
        if (ex.durable()) {
            durable.removeExchange(ex.name());
        }
        exchanges.remove(ex.name(), ex);
        if (bindings.removeIf(b -> b.exchange().equals(ex.name()))) {
            publishBindings();
        }
    }

    // ------------------------------------------------------------------ queues

    /**
     * Declares a queue, or checks an existing one.
     *
     * @param name the name, or empty for a server-chosen one
     * @param loop the loop that will own a new queue, or null to pick one
     * @return the queue
     */
    public CompletableFuture<MessageQueue> declareQueue(Caller caller, String name, boolean durable,
                                                        boolean exclusive, boolean autoDelete, boolean passive,
                                                        Map<String, Object> arguments, OwnerLoop loop) {
        return onOwner(() -> {
            if (passive) {
                if (name.isEmpty()) {
                    throw new CoreException(Reason.INVALID_ARGUMENT, "a passive declare needs a queue name");
                }
                return accessibleQueue(caller, name);
            }
            QueueArguments args;
            try {
                args = QueueArguments.parse(arguments);
            } catch (IllegalArgumentException e) {
                throw new CoreException(Reason.INVALID_ARGUMENT, e.getMessage());
            }
            String actual = name;
            if (actual.isEmpty()) {
                actual = Names.RESERVED_PREFIX + "gen." + Long.toHexString(ThreadLocalRandom.current().nextLong());
                access.check(caller, ResourceKind.QUEUE, actual, Access.CONFIGURE);
            } else {
                Names.checkLength("queue name", actual);
                access.check(caller, ResourceKind.QUEUE, actual, Access.CONFIGURE);
                MessageQueue existing = queues.get(actual);
                if (existing != null) {
                    TopologyChecks.checkExclusive(existing, caller);
                    if (existing.durable() != durable || existing.exclusive() != exclusive
                            || existing.autoDelete() != autoDelete || !existing.arguments().equals(args)) {
                        throw new CoreException(Reason.PRECONDITION_FAILED, "queue '" + actual
                                + "' exists with other properties or arguments");
                    }
                    return existing;
                }
                Names.checkNotReserved("queue", actual);
            }
            return create(actual, durable, exclusive, autoDelete, args, caller.connectionId(), loop);
        });
    }

    private MessageQueue create(String name, boolean durable, boolean exclusive, boolean autoDelete,
                                QueueArguments args, String connectionId, OwnerLoop loop) {
        OwnerLoop queueLoop = loop != null ? loop : loops.get();
        MessageQueue q;
        if (durable && !exclusive) {
            CompletableFuture<Long> stillDeleting = deleting.get(name);
            if (stillDeleting != null) {
                // A queue of this name was deleted and its store (same directory) is still being
                // removed on its store thread: wait, so that the new store starts empty. That thread
                // never waits for this one.
                stillDeleting.handle((n, failure) -> null).join();
            }
            this.durable.addQueue(new QueueDefinition(name, autoDelete, args.toMap()));
            Backlog backlog;
            try {
                backlog = storage.open(vhost, name);
            } catch (CoreException e) {
                LOG.error("{}", e.getMessage());
                this.durable.saveAsIs();
                throw e;
            }
            q = new MessageQueue(vhost, name, true, false, autoDelete, args, null, queueLoop, this, backlog);
        } else {
            q = new MessageQueue(vhost, name, durable, exclusive, autoDelete, args, exclusive ? connectionId : null,
                    queueLoop, this, new MemoryBacklog());
        }
        queues.put(name, q);
        return q;
    }

    /**
     * Creates the private queue of a pattern subscription, bound to {@code exchange} with
     * {@code pattern}: exclusive, auto-delete, holding at most {@code maxBacklog} messages
     * (drop-head). Owned by {@code loop}, the subscriber's, so deliveries need no thread hop.
     */
    public CompletableFuture<MessageQueue> subscriptionQueue(Caller caller, long sid, String exchange,
                                                             String pattern, OwnerLoop loop, int maxBacklog) {
        return onOwner(() -> {
            Exchange ex = existingExchange(exchange);
            TopologyChecks.checkPattern(ex, pattern);
            access.check(caller, ResourceKind.EXCHANGE, exchange, Access.READ);
            String name = Names.RESERVED_PREFIX + "sub." + caller.connectionId() + "." + sid;
            MessageQueue old = queues.get(name);
            if (old != null) {
                removeQueue(old);
            }
            MessageQueue q = create(name, false, true, true, QueueArguments.maxLength(maxBacklog),
                    caller.connectionId(), loop);
            ex.bindings(ex.bindings().with(pattern, q));
            bindings.add(new Binding(exchange, name, pattern));
            publishBindings();
            return q;
        });
    }

    /** The queue a connection may use; refuses missing and foreign exclusive queues. Any thread. */
    private MessageQueue accessibleQueue(Caller caller, String name) {
        if (name.isEmpty()) {
            throw new CoreException(Reason.INVALID_ARGUMENT, "a queue name is required");
        }
        Names.checkLength("queue name", name);
        MessageQueue q = queues.get(name);
        if (q == null) {
            throw new CoreException(Reason.NOT_FOUND, "no queue '" + name + "'");
        }
        TopologyChecks.checkExclusive(q, caller);
        return q;
    }

    /** Deletes a queue; completes with the number of messages dropped. */
    public CompletableFuture<Long> deleteQueue(Caller caller, String name, boolean ifUnused, boolean ifEmpty) {
        return onOwner(() -> {
            MessageQueue q = accessibleQueue(caller, name);
            access.check(caller, ResourceKind.QUEUE, name, Access.CONFIGURE);
            if (ifUnused && q.consumerCount() > 0) {
                throw new CoreException(Reason.PRECONDITION_FAILED, "queue '" + name + "' has "
                        + q.consumerCount() + " consumers");
            }
            if (ifEmpty && q.messageCount() > 0) {
                throw new CoreException(Reason.PRECONDITION_FAILED, "queue '" + name + "' has "
                        + q.messageCount() + " messages");
            }
            return removeQueue(q);
        }).thenCompose(deleted -> deleted);
    }

    /** Drops every ready message of a queue; completes with how many. */
    public CompletableFuture<Long> purgeQueue(Caller caller, String name) {
        return onOwner(() -> {
            MessageQueue q = accessibleQueue(caller, name);
            access.check(caller, ResourceKind.QUEUE, name, Access.READ);
            return q.purge();
        }).thenCompose(purged -> purged);
    }

    private CompletableFuture<Long> removeQueue(MessageQueue q) {
        if (q.storesMessages()) {
            durable.removeQueue(q.name());
        }
        queues.remove(q.name(), q);
        bindings.removeIf(b -> b.queue().equals(q.name()));
        for (Exchange ex : List.copyOf(exchanges.values())) {
            BindingTable<MessageQueue> before = ex.bindings();
            BindingTable<MessageQueue> after = before.withoutTarget(q);
            if (after != before) {
                ex.bindings(after);
                if (ex.unused()) {
                    removeExchange(ex);
                }
            }
        }
        publishBindings();
        CompletableFuture<Long> deleted = q.delete("queue '" + q.name() + "' was deleted");
        deleting.put(q.name(), deleted);
        deleted.whenComplete((n, failure) -> deleting.remove(q.name(), deleted));
        return deleted;
    }

    /** Deletes the exclusive queues of a connection that closed. */
    public CompletableFuture<Void> connectionClosed(String connectionId) {
        return onOwner(() -> {
            for (MessageQueue q : List.copyOf(queues.values())) {
                if (connectionId.equals(q.ownerConnectionId())) {
                    removeQueue(q);
                }
            }
            return null;
        });
    }

    /**
     * Closes every queue for shutdown: in-memory messages are released, durable queues' stores are
     * closed with their messages kept. Completes when all are closed, and the deletions still under
     * way are done.
     */
    public CompletableFuture<Void> closeAll() {
        return onOwner(() -> {
            List<CompletableFuture<Void>> closing = new ArrayList<>();
            for (MessageQueue q : List.copyOf(queues.values())) {
                closing.add(q.close());
            }
            for (CompletableFuture<Long> d : List.copyOf(deleting.values())) {
                closing.add(d.handle((n, failure) -> null));
            }
            return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
        }).thenCompose(all -> all);
    }

    // ------------------------------------------------------------------ bindings

    /** Binds a queue to an exchange; binding twice is a no-op. */
    public CompletableFuture<Void> bind(Caller caller, String queue, String exchange, String pattern) {
        return onOwner(() -> {
            MessageQueue q = accessibleQueue(caller, queue);
            Exchange ex = existingExchange(exchange);
            TopologyChecks.checkPattern(ex, pattern);
            access.check(caller, ResourceKind.QUEUE, queue, Access.WRITE);
            access.check(caller, ResourceKind.EXCHANGE, exchange, Access.READ);
            if (DurableDefinitions.persistent(ex, q) && !ex.bindings().contains(pattern, q)) {
                durable.addBinding(new BindingDefinition(exchange, queue, pattern));
            }
            ex.bindings(ex.bindings().with(pattern, q));
            if (bindings.add(new Binding(exchange, queue, pattern))) {
                publishBindings();
            }
            return null;
        });
    }

    /** Removes a binding; removing one that does not exist is a no-op. */
    public CompletableFuture<Void> unbind(Caller caller, String queue, String exchange, String pattern) {
        return onOwner(() -> {
            MessageQueue q = accessibleQueue(caller, queue);
            Exchange ex = existingExchange(exchange);
            Names.checkLength("binding key", pattern);
            access.check(caller, ResourceKind.QUEUE, queue, Access.WRITE);
            access.check(caller, ResourceKind.EXCHANGE, exchange, Access.READ);
            BindingTable<MessageQueue> before = ex.bindings();
            BindingTable<MessageQueue> after = before.without(pattern, q);
            if (after != before) {
                BindingDefinition b = new BindingDefinition(exchange, queue, pattern);
                if (durable.contains(b)) {
                    durable.removeBinding(b);
                }
                ex.bindings(after);
                bindings.remove(new Binding(exchange, queue, pattern));
                publishBindings();
                if (ex.unused()) {
                    removeExchange(ex);
                }
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ checks

    private Exchange existingExchange(String name) {
        Exchange ex = exchanges.get(name);
        if (ex == null) {
            Names.checkLength("exchange name", name);
            throw new CoreException(Reason.NOT_FOUND, "no exchange '" + name + "'");
        }
        return ex;
    }
}
