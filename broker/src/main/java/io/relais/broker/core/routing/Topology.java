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
import io.relais.broker.core.queue.FlowLimits;
import io.relais.broker.core.queue.QueueArguments;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
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
 * <p>Changes of one queue (declare, delete, purge, bind, unbind, auto-delete, the deletion of an
 * exclusive queue whose connection closed) are put in line per queue name by a
 * {@link NameSequencer}: each starts once the one before it on that name has finished, including the
 * store work it started on a store thread (a deleted durable queue's directory is gone before a
 * namesake opens it again). The owner thread never waits for that work; changes of other names go
 * on meanwhile. Every change's future completes, whatever fails; unexpected failures are logged with
 * the change they belong to.
 *
 * <p>Every change is checked with the {@link AccessControl} first.
 */
public final class Topology implements MessageQueue.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(Topology.class);
    /** Name of the default topic exchange, which always exists. */
    public static final String DEFAULT_EXCHANGE = "";
    private static final List<String> TYPES = List.of("topic", "direct", "fanout");
    /** Names of pattern subscriptions' private queues begin with this. */
    private static final String SUBSCRIPTION_QUEUE_PREFIX = Names.RESERVED_PREFIX + "sub.";

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
    private final FlowLimits flowLimits;
    /** Most queues this vhost may hold (pattern subscriptions' private queues aside); 0 for no limit. */
    private final int maxQueues;
    /** Queues this vhost holds, pattern subscriptions' private queues aside; changed on the owner thread. */
    private volatile int queueCount;
    private final ChangeListener changes;
    /** Puts the changes of each queue name in line, their store work included; shutdown waits for them. */
    private final NameSequencer sequencer;
    /** Messages handed to a dead-letter exchange, counted on the queues' loops; read by the metrics. */
    private final LongAdder deadLettered = new LongAdder();

    /**
     * @param owner the thread every change runs on
     * @param loops picks the loop that owns a new queue
     * @param definitions where durable definitions are saved
     * @param storage where durable queues keep their messages
     * @param access the check made before every operation
     * @param flowLimits the flow-control defaults of {@code block} queues
     */
    public Topology(String vhost, Executor owner, Supplier<OwnerLoop> loops, DefinitionsRepository definitions,
                    QueueStorage storage, AccessControl access, FlowLimits flowLimits) {
        this(vhost, owner, loops, definitions, storage, access, flowLimits, 0, ChangeListener.NONE);
    }

    /**
     * As above, for a vhost's model that holds at most {@code maxQueues} queues (0: no limit; a declare
     * beyond it is refused with {@link Reason#LIMIT_REACHED}; server-named, exclusive and durable queues
     * count, the private queues of pattern subscriptions do not: a connection's subscriptions have a limit of
     * their own), telling {@code changes} of every change to durable definitions, bind, unbind and purge.
     *
     * @param changes told on the owner thread of each change once it took effect
     */
    public Topology(String vhost, Executor owner, Supplier<OwnerLoop> loops, DefinitionsRepository definitions,
                    QueueStorage storage, AccessControl access, FlowLimits flowLimits, int maxQueues,
                    ChangeListener changes) {
        this.maxQueues = maxQueues;
        this.changes = changes;
        this.vhost = vhost;
        this.owner = owner;
        this.loops = loops;
        this.definitions = definitions;
        this.durable = new DurableDefinitions(definitions, exchanges.values(), queues.values());
        this.storage = storage;
        this.access = access;
        this.flowLimits = flowLimits;
        this.sequencer = new NameSequencer(owner);
        exchanges.put(DEFAULT_EXCHANGE, new Exchange(vhost, DEFAULT_EXCHANGE, "topic", true, false));
    }

    /** The virtual host. */
    public String vhost() {
        return vhost;
    }

    /** The flow-control defaults of {@code block} queues. */
    FlowLimits flowLimits() {
        return flowLimits;
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
        queueCount++;
    }

    void restore(BindingDefinition b, Exchange ex, MessageQueue q) {
        ex.bindings(ex.bindings().with(b.pattern(), q));
        durable.recovered(b);
        bindings.add(new Binding(b.exchange(), b.queue(), b.pattern()));
        publishBindings();
    }

    /**
     * Runs {@code change} on the owner thread. Whatever it throws completes the future; a failure
     * other than a refusal ({@link CoreException}) is logged with {@code what}.
     */
    private <T> CompletableFuture<T> onOwner(String what, Supplier<T> change) {
        CompletableFuture<T> done = new CompletableFuture<>();
        owner.execute(() -> {
            try {
                done.complete(change.get());
            } catch (Throwable e) {
                if (!(e instanceof CoreException)) {
                    LOG.error("{} failed", what, e);
                }
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /**
     * Runs {@code change} of queue {@code name} on the owner thread once the changes of that name
     * asked for before it have finished, store work included; completes with what the future
     * {@code change} returns completes with.
     */
    private <T> CompletableFuture<T> onQueue(String name, String what, Supplier<CompletableFuture<T>> change) {
        return onOwner(what, () -> sequencer.run(name, what, change)).thenCompose(result -> result);
    }

    private static String quoted(String name) {
        return "'" + name + "'";
    }

    private void publishBindings() {
        bindingSnapshot = List.copyOf(bindings);
    }

    // ------------------------------------------------------------------ dead letters, auto-delete

    @Override
    public void deadLetter(String exchange, String routingKey, Message message) {
        deadLettered.increment();
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
        String what = "auto-delete of queue " + quoted(queue.name());
        return onQueue(queue.name(), what, () -> {
            // Gone already (deleted, or replaced by a namesake), or a consumer came meanwhile: its
            // leaving will ask again.
            if (queues.get(queue.name()) != queue || queue.consumerCount() > 0) {
                return CompletableFuture.completedFuture(0L);
            }
            return removeQueue(queue);
        }).handle((n, failure) -> {
            // Unexpected failures are logged where they happen (NameSequencer); refusals here.
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof CoreException e) {
                LOG.error("could not auto-delete {}: {}", queue, e.getMessage());
            }
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

    /** Messages dead-lettered in this vhost so far (handed to a dead-letter exchange, existing or not); any thread. */
    public long deadLetteredTotal() {
        return deadLettered.sum();
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
        return onOwner("declare exchange " + quoted(name), () -> {
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
            if (durable) {
                changes.changed(caller, "declare", "exchange", name, details("type", type, "durable", "true",
                        "auto_delete", String.valueOf(autoDelete)));
            }
            return null;
        });
    }

    /** Deletes an exchange and its bindings. */
    public CompletableFuture<Void> deleteExchange(Caller caller, String name, boolean ifUnused) {
        return onOwner("delete exchange " + quoted(name), () -> {
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
            if (ex.durable()) {
                changes.changed(caller, "delete", "exchange", name, details("type", ex.type(), "durable", "true"));
            }
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
        if (name.isEmpty() && !passive) {
            // A server-chosen name is new: nothing to wait for.
            return onOwner("declare of a server-named queue", () -> declare(caller, name, durable, exclusive,
                    autoDelete, false, arguments, loop));
        }
        return onQueue(name, "declare queue " + quoted(name), () -> CompletableFuture.completedFuture(
                declare(caller, name, durable, exclusive, autoDelete, passive, arguments, loop)));
    }

    private MessageQueue declare(Caller caller, String name, boolean durable, boolean exclusive, boolean autoDelete,
                                 boolean passive, Map<String, Object> arguments, OwnerLoop loop) {
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
        if (args.deadLetters()) {
            // RabbitMQ: a queue with a dead-letter exchange needs write on that exchange, read on the queue.
            access.check(caller, ResourceKind.EXCHANGE, args.deadLetterExchange(), Access.WRITE);
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
        if (args.deadLetters()) {
            access.check(caller, ResourceKind.QUEUE, actual, Access.READ);
        }
        if (maxQueues > 0 && queueCount >= maxQueues) {
            throw new CoreException(Reason.LIMIT_REACHED, "vhost '" + vhost + "' is at the limit of queues per vhost "
                    + "(limits.max-queues-per-vhost: " + maxQueues + "); queue '" + actual + "' was not declared");
        }
        MessageQueue q = create(actual, durable, exclusive, autoDelete, args, caller.connectionId(), loop);
        queueCount++;
        if (durable && !exclusive) {
            changes.changed(caller, "declare", "queue", actual, details("durable", "true", "auto_delete",
                    String.valueOf(autoDelete), "arguments", args.toMap().toString()));
        }
        return q;
    }

    /** Queues this vhost holds, pattern subscriptions' private queues aside; a moment's count, any thread. */
    public int queueCount() {
        return queueCount;
    }

    /**
     * After a durable queue's store could not be opened: saves the definitions without it. If that
     * fails too (a full disk), the client still gets the store's error, and the next save of the
     * definitions leaves the queue out (it is not among the live queues).
     */
    private void saveWithout(String name) {
        try {
            durable.saveAsIs();
        } catch (RuntimeException e) {
            LOG.error("queue '{}': its store could not be opened, and the definitions could not be saved without it "
                    + "({}); the next change of the definitions leaves it out", name, e.getMessage());
        }
    }

    private MessageQueue create(String name, boolean durable, boolean exclusive, boolean autoDelete,
                                QueueArguments args, String connectionId, OwnerLoop loop) {
        OwnerLoop queueLoop = loop != null ? loop : loops.get();
        MessageQueue q;
        if (durable && !exclusive) {
            // No namesake's store is open or being deleted here: the changes of this name before
            // this one (a delete, with its store's removal) have finished (NameSequencer).
            this.durable.addQueue(new QueueDefinition(name, autoDelete, args.toMap()));
            Backlog backlog;
            try {
                backlog = storage.open(vhost, name);
            } catch (CoreException e) {
                LOG.error("{}", e.getMessage());
                saveWithout(name);
                throw e;
            } catch (RuntimeException | Error e) {
                // Not a refusal the storage meant (a fault on a mapped file, a bug): the queue is not
                // declared, its definition not kept, and the client is told the store failed.
                LOG.error("could not open the store of queue '{}'", name, e);
                saveWithout(name);
                throw new CoreException(Reason.STORE_FAILED, "could not open the store of queue '" + name + "': " + e);
            }
            q = new MessageQueue(vhost, name, true, false, autoDelete, args, null, queueLoop, this, backlog, flowLimits);
        } else {
            q = new MessageQueue(vhost, name, durable, exclusive, autoDelete, args, exclusive ? connectionId : null,
                    queueLoop, this, new MemoryBacklog(), flowLimits);
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
        String name = SUBSCRIPTION_QUEUE_PREFIX + caller.connectionId() + "." + sid;
        return onQueue(name, "subscription queue " + quoted(name), () -> {
            Exchange ex = existingExchange(exchange);
            TopologyChecks.checkPattern(ex, pattern);
            access.check(caller, ResourceKind.EXCHANGE, exchange, Access.READ);
            if (ex.isTopic()) {
                access.checkTopic(caller, exchange, pattern, Access.READ);
            }
            MessageQueue old = queues.get(name);
            if (old != null) {
                removeQueue(old);
            }
            MessageQueue q = create(name, false, true, true, QueueArguments.maxLength(maxBacklog),
                    caller.connectionId(), loop);
            ex.bindings(ex.bindings().with(pattern, q));
            bindings.add(new Binding(exchange, name, pattern));
            publishBindings();
            return CompletableFuture.completedFuture(q);
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
        return onQueue(name, "delete queue " + quoted(name), () -> {
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
            if (q.durable()) {
                changes.changed(caller, "delete", "queue", name, details("durable", "true",
                        "messages", String.valueOf(q.messageCount())));
            }
            return removeQueue(q);
        });
    }

    /** Drops every ready message of a queue; completes with how many. */
    public CompletableFuture<Long> purgeQueue(Caller caller, String name) {
        return onQueue(name, "purge of queue " + quoted(name), () -> {
            MessageQueue q = accessibleQueue(caller, name);
            access.check(caller, ResourceKind.QUEUE, name, Access.READ);
            return q.purge().thenApplyAsync(n -> {
                changes.changed(caller, "purge", "queue", name, details("messages", String.valueOf(n)));
                return n;
            }, owner);
        });
    }

    private CompletableFuture<Long> removeQueue(MessageQueue q) {
        if (q.storesMessages()) {
            durable.removeQueue(q.name());
        }
        if (queues.remove(q.name(), q) && !q.name().startsWith(SUBSCRIPTION_QUEUE_PREFIX)) {
            queueCount--;
        }
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
        return q.delete("queue '" + q.name() + "' was deleted");
    }

    /**
     * Deletes the exclusive queues of a connection that closed, each in line with the other changes
     * of its name; completes when all are deleted.
     */
    public CompletableFuture<Void> connectionClosed(String connectionId) {
        return onOwner("deletion of the exclusive queues of connection " + connectionId, () -> {
            List<CompletableFuture<Long>> deleted = new ArrayList<>();
            for (MessageQueue q : List.copyOf(queues.values())) {
                if (connectionId.equals(q.ownerConnectionId())) {
                    deleted.add(sequencer.run(q.name(), "deletion of exclusive queue " + quoted(q.name())
                            + " (connection " + connectionId + " closed)", () -> queues.get(q.name()) == q
                            ? removeQueue(q) : CompletableFuture.completedFuture(0L)));
                }
            }
            return CompletableFuture.allOf(deleted.toArray(CompletableFuture[]::new));
        }).thenCompose(all -> all);
    }

    /**
     * Closes every queue for shutdown, once the changes under way (deletions with their store
     * work, declares waiting for them) have finished: in-memory messages are released, durable
     * queues' stores are closed with their messages kept. Completes when all are closed.
     */
    public CompletableFuture<Void> closeAll() {
        return onOwner("shutdown: waiting for the queue changes under way", sequencer::allEnded)
                .thenCompose(ended -> ended)
                .thenCompose(ended -> onOwner("shutdown: closing the queues", () -> {
                    if (!sequencer.idle()) {
                        // Changes were asked for while the others ended: wait for those too.
                        return closeAll();
                    }
                    List<CompletableFuture<Void>> closing = new ArrayList<>();
                    for (MessageQueue q : List.copyOf(queues.values())) {
                        closing.add(q.close());
                    }
                    return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
                }))
                .thenCompose(all -> all);
    }

    /**
     * Deletes everything for the deletion of this virtual host, once the changes under way have
     * finished: every queue with its messages (durable queues' stores included) and every exchange.
     * Completes when all queues are deleted; the definitions file is the caller's to remove.
     */
    public CompletableFuture<Void> deleteAll() {
        return onOwner("vhost deletion: waiting for the queue changes under way", sequencer::allEnded)
                .thenCompose(ended -> ended)
                .thenCompose(ended -> onOwner("vhost deletion: deleting the queues", () -> {
                    if (!sequencer.idle()) {
                        return deleteAll();
                    }
                    List<CompletableFuture<Long>> deleting = new ArrayList<>();
                    for (MessageQueue q : List.copyOf(queues.values())) {
                        queues.remove(q.name(), q);
                        deleting.add(q.delete("virtual host '" + vhost + "' was deleted"));
                    }
                    exchanges.keySet().removeIf(name -> !name.equals(DEFAULT_EXCHANGE));
                    bindings.clear();
                    publishBindings();
                    return CompletableFuture.allOf(deleting.toArray(CompletableFuture[]::new));
                }))
                .thenCompose(all -> all);
    }

    // ------------------------------------------------------------------ bindings

    /** Binds a queue to an exchange; binding twice is a no-op. */
    public CompletableFuture<Void> bind(Caller caller, String queue, String exchange, String pattern) {
        return onQueue(queue, "bind of queue " + quoted(queue) + " to exchange " + quoted(exchange), () -> {
            MessageQueue q = accessibleQueue(caller, queue);
            Exchange ex = existingExchange(exchange);
            TopologyChecks.checkPattern(ex, pattern);
            access.check(caller, ResourceKind.QUEUE, queue, Access.WRITE);
            access.check(caller, ResourceKind.EXCHANGE, exchange, Access.READ);
            if (ex.isTopic()) {
                access.checkTopic(caller, exchange, pattern, Access.READ);
            }
            if (DurableDefinitions.persistent(ex, q) && !ex.bindings().contains(pattern, q)) {
                durable.addBinding(new BindingDefinition(exchange, queue, pattern));
            }
            ex.bindings(ex.bindings().with(pattern, q));
            if (bindings.add(new Binding(exchange, queue, pattern))) {
                publishBindings();
                changes.changed(caller, "bind", "queue", queue, bindingDetails(exchange, pattern, ex, q));
            }
            return CompletableFuture.completedFuture(null);
        });
    }

    /** Removes a binding; removing one that does not exist is a no-op. */
    public CompletableFuture<Void> unbind(Caller caller, String queue, String exchange, String pattern) {
        return onQueue(queue, "unbind of queue " + quoted(queue) + " from exchange " + quoted(exchange), () -> {
            MessageQueue q = accessibleQueue(caller, queue);
            Exchange ex = existingExchange(exchange);
            Names.checkLength("binding key", pattern);
            access.check(caller, ResourceKind.QUEUE, queue, Access.WRITE);
            access.check(caller, ResourceKind.EXCHANGE, exchange, Access.READ);
            if (ex.isTopic()) {
                access.checkTopic(caller, exchange, pattern, Access.READ);
            }
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
                changes.changed(caller, "unbind", "queue", queue, bindingDetails(exchange, pattern, ex, q));
                if (ex.unused()) {
                    removeExchange(ex);
                }
            }
            return CompletableFuture.completedFuture(null);
        });
    }

    /** The fields of a change, in the order given: name, value, name, value... */
    private static Map<String, String> details(String... namesAndValues) {
        Map<String, String> details = new LinkedHashMap<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            details.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return details;
    }

    private static Map<String, String> bindingDetails(String exchange, String pattern, Exchange ex, MessageQueue q) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("exchange", exchange);
        details.put("key", pattern);
        details.put("durable", String.valueOf(DurableDefinitions.persistent(ex, q)));
        return details;
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
