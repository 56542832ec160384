package io.relais.broker.routing;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.relais.broker.queue.MessageQueue;
import io.relais.broker.queue.QueueArguments;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolException;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.ExchangeInfo;
import io.relais.protocol.frame.QueueInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The broker's model: every exchange, queue and binding.
 *
 * <p>Lookups ({@link #exchange}, {@link #queue}) are lock-free reads of concurrent maps and are
 * what the per-message path uses. Changes (declare, delete, bind, unbind) are rare and serialised
 * by this object's monitor; they publish new immutable binding tables to the exchanges. Every
 * refusal is a {@link ProtocolException} with the code the client receives.
 */
public final class Topology {
    /** Name of the default topic exchange, which always exists. */
    public static final String DEFAULT_EXCHANGE = "";
    /** Names with this prefix are reserved for the server. */
    public static final String RESERVED_PREFIX = "relais.";

    private final Map<String, Exchange> exchanges = new ConcurrentHashMap<>();
    private final Map<String, MessageQueue> queues = new ConcurrentHashMap<>();
    private final EventLoopGroup loops;

    /** @param loops the event loops that queues are spread over */
    public Topology(EventLoopGroup loops) {
        this.loops = loops;
        exchanges.put(DEFAULT_EXCHANGE, new Exchange(DEFAULT_EXCHANGE, "topic", true, false));
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
        checkNotDurable("exchange", durable);
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
        exchanges.put(name, new Exchange(name, type, durable, autoDelete));
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
        exchanges.remove(name);
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
        checkNotDurable("queue", durable);
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
        MessageQueue q = new MessageQueue(name, durable, exclusive, autoDelete, args,
                exclusive ? connectionId : null, loop != null ? loop : loops.next(), this::autoDeleteQueue);
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
        MessageQueue q = create(name, false, true, true, new QueueArguments(maxBacklog, 0, false, 0), connectionId,
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
        queues.remove(q.name(), q);
        for (Exchange ex : exchanges.values()) {
            BindingTable<MessageQueue> before = ex.bindings();
            BindingTable<MessageQueue> after = before.withoutTarget(q);
            if (after != before) {
                ex.bindings(after);
                if (ex.unused()) {
                    exchanges.remove(ex.name(), ex);
                }
            }
        }
        return q.delete("queue '" + q.name() + "' was deleted");
    }

    private synchronized void autoDeleteQueue(MessageQueue q) {
        if (queues.get(q.name()) == q) {
            removeQueue(q);
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

    /** Deletes every queue, releasing the messages they hold; for shutdown. Completes when all are gone. */
    public synchronized CompletableFuture<Void> deleteAll() {
        List<CompletableFuture<Long>> deletions = new ArrayList<>();
        for (MessageQueue q : List.copyOf(queues.values())) {
            deletions.add(removeQueue(q));
        }
        return CompletableFuture.allOf(deletions.toArray(CompletableFuture[]::new));
    }

    /** Binds a queue to an exchange; binding twice is a no-op. */
    public synchronized void bind(String queue, String exchange, String pattern, String connectionId) {
        MessageQueue q = accessibleQueue(queue, connectionId);
        Exchange ex = existingExchange(exchange);
        checkPattern(ex, pattern);
        ex.bindings(ex.bindings().with(pattern, q));
    }

    /** Removes a binding; removing one that does not exist is a no-op. */
    public synchronized void unbind(String queue, String exchange, String pattern, String connectionId) {
        MessageQueue q = accessibleQueue(queue, connectionId);
        Exchange ex = existingExchange(exchange);
        BindingTable<MessageQueue> before = ex.bindings();
        BindingTable<MessageQueue> after = before.without(pattern, q);
        if (after != before) {
            ex.bindings(after);
            if (ex.unused()) {
                exchanges.remove(ex.name(), ex);
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

    /**
     * This broker keeps everything in memory; it refuses durable declarations rather than accept
     * them and lose them at the next restart.
     */
    private static void checkNotDurable(String what, boolean durable) {
        if (durable) {
            throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, "durable " + what + "s are not supported by "
                    + "this broker version (it keeps everything in memory); declare the " + what + " without durable");
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
