package io.relais.broker.routing;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.relais.broker.queue.Message;
import io.relais.broker.queue.MessageQueue;
import io.relais.broker.queue.QueueArguments;
import io.relais.broker.store.BindingDefinition;
import io.relais.broker.store.Definitions;
import io.relais.broker.store.DefinitionsStore;
import io.relais.broker.store.ExchangeDefinition;
import io.relais.broker.store.FsyncPolicy;
import io.relais.broker.store.MessageStore;
import io.relais.broker.store.QueueDefinition;
import io.relais.broker.store.StoreException;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.ExchangeInfo;
import io.relais.protocol.frame.QueueInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's model: every exchange, queue and binding.
 *
 * <p>Lookups ({@link #exchange}, {@link #queue}) are lock-free reads of concurrent maps and are
 * what the per-message path uses. Changes (declare, delete, bind, unbind) are rare and serialised
 * by this object's monitor; they publish new immutable binding tables to the exchanges. Every
 * refusal is a {@link ProtocolException} with the code the client receives.
 *
 * <p>Durable exchanges, durable queues and the bindings between them (and from the default
 * exchange) are saved in the {@link DefinitionsStore} before a change takes effect, and
 * {@link #recover} rebuilds them at start-up. A durable queue (unless exclusive, which ends with its
 * connection anyway) keeps its messages in a {@link MessageStore} under {@code DATA/queues/}.
 */
public final class Topology implements MessageQueue.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(Topology.class);
    /** Name of the default topic exchange, which always exists. */
    public static final String DEFAULT_EXCHANGE = "";
    /** Names with this prefix are reserved for the server. */
    public static final String RESERVED_PREFIX = "relais.";

    private final Map<String, Exchange> exchanges = new ConcurrentHashMap<>();
    private final Map<String, MessageQueue> queues = new ConcurrentHashMap<>();
    private final Set<BindingDefinition> durableBindings = new LinkedHashSet<>();
    private final EventLoopGroup loops;
    private final DefinitionsStore definitions;
    private final Path queuesDir;
    private final FsyncPolicy fsync;

    /**
     * @param loops the event loops that queues are spread over
     * @param dataDir the broker's data directory: definitions and durable queues' messages
     * @param fsync when durable queues sync their files
     */
    public Topology(EventLoopGroup loops, Path dataDir, FsyncPolicy fsync) {
        this.loops = loops;
        this.definitions = new DefinitionsStore(dataDir);
        this.queuesDir = dataDir.resolve("queues");
        this.fsync = fsync;
        exchanges.put(DEFAULT_EXCHANGE, new Exchange(DEFAULT_EXCHANGE, "topic", true, false));
    }

    /**
     * Rebuilds the durable exchanges, queues (with their stored messages) and bindings saved by
     * earlier runs, and deletes message stores of queues that no longer exist. Call once, before
     * serving clients.
     *
     * @throws StoreException if the definitions or a queue's store cannot be read; the message says
     *     what and where
     */
    public synchronized void recover() {
        long start = System.nanoTime();
        Definitions d = definitions.load();
        for (ExchangeDefinition e : d.exchanges()) {
            exchanges.put(e.name(), new Exchange(e.name(), e.type(), true, e.autoDelete()));
        }
        Set<Path> known = new HashSet<>();
        long messages = 0;
        for (QueueDefinition qd : d.queues()) {
            QueueArguments args;
            try {
                args = QueueArguments.parse(qd.arguments());
            } catch (IllegalArgumentException e) {
                throw new StoreException("queue '" + qd.name() + "' in " + definitions.file() + " has bad arguments: "
                        + e.getMessage());
            }
            Path dir = MessageStore.directoryFor(queuesDir, qd.name());
            known.add(dir);
            MessageStore store = MessageStore.open(dir, qd.name(), fsync);
            messages += store.count();
            queues.put(qd.name(), new MessageQueue(qd.name(), true, false, qd.autoDelete(), args, null, loops.next(),
                    this, store, fsync));
        }
        for (BindingDefinition b : d.bindings()) {
            Exchange ex = exchanges.get(b.exchange());
            MessageQueue q = queues.get(b.queue());
            if (ex == null || q == null) {
                throw new StoreException("binding of queue '" + b.queue() + "' to exchange '" + b.exchange()
                        + "' in " + definitions.file() + " names a " + (ex == null ? "exchange" : "queue")
                        + " that the file does not define; restore the file from a backup");
            }
            ex.bindings(ex.bindings().with(b.pattern(), q));
            durableBindings.add(b);
        }
        deleteOrphanStores(known);
        if (!d.queues().isEmpty() || !d.exchanges().isEmpty()) {
            LOG.info("recovered {} durable exchanges, {} durable queues holding {} messages, {} bindings in {} ms",
                    d.exchanges().size(), d.queues().size(), messages, d.bindings().size(),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    private void deleteOrphanStores(Set<Path> known) {
        if (!Files.isDirectory(queuesDir)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(queuesDir)) {
            for (Path dir : dirs.toList()) {
                if (!known.contains(dir)) {
                    LOG.warn("deleting {}: it belongs to a queue that was deleted before the broker stopped", dir);
                    MessageStore.deleteFiles(dir);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot list " + queuesDir + ": " + e.getMessage(), e);
        }
    }

    /** The durable definitions as they stand, as mutable lists for a change to edit before saving. */
    private List<ExchangeDefinition> durableExchanges() {
        List<ExchangeDefinition> list = new ArrayList<>();
        for (Exchange ex : exchanges.values()) {
            if (ex.durable() && !ex.name().isEmpty()) {
                list.add(new ExchangeDefinition(ex.name(), ex.type(), ex.autoDelete()));
            }
        }
        list.sort(Comparator.comparing(ExchangeDefinition::name));
        return list;
    }

    private List<QueueDefinition> durableQueues() {
        List<QueueDefinition> list = new ArrayList<>();
        for (MessageQueue q : queues.values()) {
            if (q.storesMessages()) {
                list.add(new QueueDefinition(q.name(), q.autoDelete(), q.arguments().toMap()));
            }
        }
        list.sort(Comparator.comparing(QueueDefinition::name));
        return list;
    }

    /** Saves the definitions; a failure refuses the change that asked for it. */
    private void save(List<ExchangeDefinition> ex, List<QueueDefinition> qs, Set<BindingDefinition> bindings) {
        try {
            definitions.save(new Definitions(ex, qs, List.copyOf(bindings)));
        } catch (StoreException e) {
            LOG.error("cannot save the definitions: {}", e.getMessage());
            throw new ProtocolException(ErrorCode.STORE_FAILED, "the broker could not save its definitions: "
                    + e.getMessage());
        }
    }

    private void saveAsIs() {
        save(durableExchanges(), durableQueues(), durableBindings);
    }

    private static boolean persistentBinding(Exchange ex, MessageQueue q) {
        return ex.durable() && q.storesMessages();
    }

    @Override
    public void deadLetter(String exchange, String routingKey, Message message) {
        Exchange ex = exchanges.get(exchange);
        if (ex == null) {
            LOG.debug("dead-letter exchange '{}' does not exist; message dropped", exchange);
            message.release();
            return;
        }
        List<MessageQueue> targets = new ArrayList<>(2);
        ex.route(routingKey, targets::add);
        for (MessageQueue q : targets) {
            message.payload().retain();
            if (!q.enqueue(message)) {
                message.release();
            }
        }
        message.release();
    }

    @Override
    public void unused(MessageQueue queue) {
        autoDeleteQueue(queue);
    }

    /** The exchange with this name, or null. Lock-free. */
    public Exchange exchange(String name) {
        return exchanges.get(name);
    }

    /** The queue with this name, or null. Lock-free. */
    public MessageQueue queue(String name) {
        return queues.get(name);
    }

    /** Every queue, for monitoring. */
    public Collection<MessageQueue> queues() {
        return queues.values();
    }

    /** Declares an exchange, or checks an existing one. */
    public synchronized void declareExchange(String name, String type, boolean durable, boolean autoDelete,
                                             boolean passive) {
        checkName("exchange", name);
        Exchange existing = exchanges.get(name);
        if (passive) {
            if (existing == null) {
                throw new ProtocolException(ErrorCode.NOT_FOUND, "no exchange '" + name + "'");
            }
            return;
        }
        if (name.isEmpty()) {
            throw new ProtocolException(ErrorCode.PRECONDITION_FAILED, "the default exchange cannot be declared");
        }
        if (!List.of("topic", "direct", "fanout").contains(type)) {
            throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, "exchange type must be topic, direct or fanout, not '"
                    + type + "'");
        }
        if (existing != null) {
            if (!existing.type().equals(type) || existing.durable() != durable || existing.autoDelete() != autoDelete) {
                throw new ProtocolException(ErrorCode.PRECONDITION_FAILED, "exchange '" + name + "' exists as "
                        + describe(existing) + ", not " + describe(type, durable, autoDelete));
            }
            return;
        }
        checkNotReserved("exchange", name);
        Exchange ex = new Exchange(name, type, durable, autoDelete);
        if (durable) {
            List<ExchangeDefinition> list = durableExchanges();
            list.add(new ExchangeDefinition(name, type, autoDelete));
            save(list, durableQueues(), durableBindings);
        }
        exchanges.put(name, ex);
    }

    /** Deletes an exchange and its bindings. */
    public synchronized void deleteExchange(String name, boolean ifUnused) {
        if (name.isEmpty()) {
            throw new ProtocolException(ErrorCode.PRECONDITION_FAILED, "the default exchange cannot be deleted");
        }
        Exchange ex = exchanges.get(name);
        if (ex == null) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no exchange '" + name + "'");
        }
        if (ifUnused && ex.bindings().size() > 0) {
            throw new ProtocolException(ErrorCode.PRECONDITION_FAILED, "exchange '" + name + "' has "
                    + ex.bindings().size() + " bindings");
        }
        removeExchange(ex);
    }

    private void removeExchange(Exchange ex) {
        if (ex.durable()) {
            Set<BindingDefinition> bindings = new LinkedHashSet<>(durableBindings);
            bindings.removeIf(b -> b.exchange().equals(ex.name()));
            List<ExchangeDefinition> list = durableExchanges();
            list.removeIf(e -> e.name().equals(ex.name()));
            save(list, durableQueues(), bindings);
            durableBindings.retainAll(bindings);
        }
        exchanges.remove(ex.name(), ex);
    }

    /**
     * Declares a queue, or checks an existing one.
     *
     * @param name the name, or empty for a server-chosen one
     * @param connectionId the declaring connection, which owns the queue if it is exclusive
     * @param loop the event loop that will own a new queue, or null to pick one
     * @return the queue
     */
    public synchronized MessageQueue declareQueue(String name, boolean durable, boolean exclusive, boolean autoDelete,
                                                  boolean passive, Map<String, Object> arguments, String connectionId,
                                                  EventLoop loop) {
        if (passive) {
            if (name.isEmpty()) {
                throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, "a passive declare needs a queue name");
            }
            MessageQueue q = queues.get(name);
            if (q == null) {
                throw new ProtocolException(ErrorCode.NOT_FOUND, "no queue '" + name + "'");
            }
            checkAccess(q, connectionId);
            return q;
        }
        QueueArguments args;
        try {
            args = QueueArguments.parse(arguments);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
        if (name.isEmpty()) {
            name = RESERVED_PREFIX + "gen." + Long.toHexString(ThreadLocalRandom.current().nextLong());
        } else {
            checkName("queue", name);
            MessageQueue existing = queues.get(name);
            if (existing != null) {
                checkAccess(existing, connectionId);
                if (existing.durable() != durable || existing.exclusive() != exclusive
                        || existing.autoDelete() != autoDelete || !existing.arguments().equals(args)) {
                    throw new ProtocolException(ErrorCode.PRECONDITION_FAILED, "queue '" + name
                            + "' exists with other properties or arguments");
                }
                return existing;
            }
            checkNotReserved("queue", name);
        }
        return create(name, durable, exclusive, autoDelete, args, connectionId, loop);
    }

    private MessageQueue create(String name, boolean durable, boolean exclusive, boolean autoDelete, QueueArguments args,
                                String connectionId, EventLoop loop) {
        EventLoop owner = loop != null ? loop : loops.next();
        MessageQueue q;
        if (durable && !exclusive) {
            List<QueueDefinition> list = durableQueues();
            list.add(new QueueDefinition(name, autoDelete, args.toMap()));
            save(durableExchanges(), list, durableBindings);
            MessageStore store;
            try {
                store = MessageStore.open(MessageStore.directoryFor(queuesDir, name), name, fsync);
            } catch (StoreException e) {
                LOG.error("{}", e.getMessage());
                saveAsIs();
                throw new ProtocolException(ErrorCode.STORE_FAILED, "could not create the store of queue '" + name
                        + "': " + e.getMessage());
            }
            q = new MessageQueue(name, true, false, autoDelete, args, null, owner, this, store, fsync);
        } else {
            q = new MessageQueue(name, durable, exclusive, autoDelete, args, exclusive ? connectionId : null, owner,
                    this);
        }
        queues.put(name, q);
        return q;
    }

    /**
     * Creates the private queue of a pattern subscription, bound to {@code exchange} with
     * {@code pattern}: exclusive, auto-delete, holding at most {@code maxBacklog} messages
     * (drop-head). Owned by {@code loop}, the subscriber's, so deliveries need no thread hop.
     */
    public synchronized MessageQueue subscriptionQueue(String connectionId, long sid, String exchange, String pattern,
                                                       EventLoop loop, int maxBacklog) {
        Exchange ex = existingExchange(exchange);
        checkPattern(ex, pattern);
        String name = RESERVED_PREFIX + "sub." + connectionId + "." + sid;
        MessageQueue old = queues.get(name);
        if (old != null) {
            removeQueue(old);
        }
        MessageQueue q = create(name, false, true, true, QueueArguments.maxLength(maxBacklog), connectionId,
                loop);
        ex.bindings(ex.bindings().with(pattern, q));
        return q;
    }

    /** The queue a connection may consume from or bind; refuses missing and foreign exclusive queues. */
    public MessageQueue accessibleQueue(String name, String connectionId) {
        if (name.isEmpty()) {
            throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, "a queue name is required");
        }
        checkName("queue", name);
        MessageQueue q = queues.get(name);
        if (q == null) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no queue '" + name + "'");
        }
        checkAccess(q, connectionId);
        return q;
    }

    /** Deletes a queue; completes with the number of messages dropped. */
    public CompletableFuture<Long> deleteQueue(String name, boolean ifUnused, boolean ifEmpty, String connectionId) {
        synchronized (this) {
            MessageQueue q = accessibleQueue(name, connectionId);
            if (ifUnused && q.consumerCount() > 0) {
                throw new ProtocolException(ErrorCode.PRECONDITION_FAILED, "queue '" + name + "' has "
                        + q.consumerCount() + " consumers");
            }
            if (ifEmpty && q.messageCount() > 0) {
                throw new ProtocolException(ErrorCode.PRECONDITION_FAILED, "queue '" + name + "' has "
                        + q.messageCount() + " messages");
            }
            return removeQueue(q);
        }
    }

    private CompletableFuture<Long> removeQueue(MessageQueue q) {
        if (q.storesMessages()) {
            Set<BindingDefinition> bindings = new LinkedHashSet<>(durableBindings);
            bindings.removeIf(b -> b.queue().equals(q.name()));
            List<QueueDefinition> list = durableQueues();
            list.removeIf(d -> d.name().equals(q.name()));
            save(durableExchanges(), list, bindings);
            durableBindings.retainAll(bindings);
        }
        queues.remove(q.name(), q);
        for (Exchange ex : exchanges.values()) {
            BindingTable<MessageQueue> before = ex.bindings();
            BindingTable<MessageQueue> after = before.withoutTarget(q);
            if (after != before) {
                ex.bindings(after);
                if (ex.unused()) {
                    removeExchange(ex);
                }
            }
        }
        return q.delete("queue '" + q.name() + "' was deleted");
    }

    private synchronized void autoDeleteQueue(MessageQueue q) {
        if (queues.get(q.name()) == q) {
            try {
                removeQueue(q);
            } catch (ProtocolException e) {
                LOG.error("could not auto-delete {}: {}", q, e.getMessage());
            }
        }
    }

    /** Deletes the exclusive queues of a connection that closed. */
    public synchronized void connectionClosed(String connectionId) {
        for (MessageQueue q : List.copyOf(queues.values())) {
            if (connectionId.equals(q.ownerConnectionId())) {
                removeQueue(q);
            }
        }
    }

    /**
     * Closes every queue for shutdown: in-memory messages are released, durable queues' stores are
     * closed with their messages kept. Completes when all are closed.
     */
    public synchronized CompletableFuture<Void> closeAll() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (MessageQueue q : List.copyOf(queues.values())) {
            closing.add(q.close());
        }
        return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
    }

    /** Binds a queue to an exchange; binding twice is a no-op. */
    public synchronized void bind(String queue, String exchange, String pattern, String connectionId) {
        MessageQueue q = accessibleQueue(queue, connectionId);
        Exchange ex = existingExchange(exchange);
        checkPattern(ex, pattern);
        if (persistentBinding(ex, q) && !ex.bindings().contains(pattern, q)) {
            BindingDefinition b = new BindingDefinition(exchange, queue, pattern);
            Set<BindingDefinition> bindings = new LinkedHashSet<>(durableBindings);
            bindings.add(b);
            save(durableExchanges(), durableQueues(), bindings);
            durableBindings.add(b);
        }
        ex.bindings(ex.bindings().with(pattern, q));
    }

    /** Removes a binding; removing one that does not exist is a no-op. */
    public synchronized void unbind(String queue, String exchange, String pattern, String connectionId) {
        MessageQueue q = accessibleQueue(queue, connectionId);
        Exchange ex = existingExchange(exchange);
        BindingTable<MessageQueue> before = ex.bindings();
        BindingTable<MessageQueue> after = before.without(pattern, q);
        if (after != before) {
            BindingDefinition b = new BindingDefinition(exchange, queue, pattern);
            if (durableBindings.contains(b)) {
                Set<BindingDefinition> bindings = new LinkedHashSet<>(durableBindings);
                bindings.remove(b);
                save(durableExchanges(), durableQueues(), bindings);
                durableBindings.remove(b);
            }
            ex.bindings(after);
            if (ex.unused()) {
                removeExchange(ex);
            }
        }
    }

    /** A snapshot of every exchange, sorted by name. */
    public List<ExchangeInfo> exchangeInfos() {
        List<ExchangeInfo> list = new ArrayList<>();
        for (Exchange ex : exchanges.values()) {
            list.add(new ExchangeInfo(ex.name(), ex.type(), ex.durable(), ex.autoDelete(), ex.bindings().size()));
        }
        list.sort(Comparator.comparing(ExchangeInfo::name));
        return list;
    }

    /** A snapshot of every queue, sorted by name. */
    public List<QueueInfo> queueInfos() {
        List<QueueInfo> list = new ArrayList<>();
        for (MessageQueue q : queues.values()) {
            list.add(new QueueInfo(q.name(), q.durable(), q.exclusive(), q.autoDelete(), q.messageCount(),
                    q.unackedCount(), q.consumerCount()));
        }
        list.sort(Comparator.comparing(QueueInfo::name));
        return list;
    }

    private Exchange existingExchange(String name) {
        Exchange ex = exchanges.get(name);
        if (ex == null) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no exchange '" + name + "'");
        }
        return ex;
    }

    private static void checkPattern(Exchange ex, String pattern) {
        String error = ex.isTopic() ? TopicPattern.validatePattern(pattern)
                : "direct".equals(ex.type()) ? TopicPattern.validateRoutingKey(pattern)
                : lengthError("binding key", pattern);
        if (error != null) {
            throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, error);
        }
    }

    private static void checkAccess(MessageQueue q, String connectionId) {
        if (q.ownerConnectionId() != null && !Objects.equals(q.ownerConnectionId(), connectionId)) {
            throw new ProtocolException(ErrorCode.RESOURCE_LOCKED, "queue '" + q.name()
                    + "' is exclusive to another connection");
        }
    }

    private static void checkName(String what, String name) {
        String error = lengthError(what + " name", name);
        if (error != null) {
            throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, error);
        }
    }

    private static void checkNotReserved(String what, String name) {
        if (name.startsWith(RESERVED_PREFIX)) {
            throw new ProtocolException(ErrorCode.PRECONDITION_FAILED, what + " names starting with '"
                    + RESERVED_PREFIX + "' are reserved for the server");
        }
    }

    private static String lengthError(String what, String value) {
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        return bytes > ProtocolVersion.MAX_NAME_BYTES
                ? what + " is " + bytes + " bytes long; the limit is " + ProtocolVersion.MAX_NAME_BYTES : null;
    }

    private static String describe(Exchange ex) {
        return describe(ex.type(), ex.durable(), ex.autoDelete());
    }

    private static String describe(String type, boolean durable, boolean autoDelete) {
        return type + (durable ? " durable" : " transient") + (autoDelete ? " auto-delete" : "");
    }
}
