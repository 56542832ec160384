package io.relais.broker.core.routing;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.Names;
import io.relais.broker.core.Reason;
import io.relais.broker.core.access.Access;
import io.relais.broker.core.access.AccessControl;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.access.ResourceKind;
import io.relais.broker.core.queue.Message;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.queue.QueueFlow;
import io.relais.broker.core.queue.StoreWaiter;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The publish operation of one connection: checks that the caller may write to the exchange (and,
 * on a topic exchange, that its topic permission allows the routing key), finds the queues a message is routed to, and offers it to each.
 *
 * <p>Used in two steps so that the front end can prepare its confirm in between: {@link #route}
 * (which queues, how many store messages), then {@link #enqueue}. Reuses one target list, so the
 * per-message path allocates nothing here but, with a {@link FanoutBatch}, its entries. Owned by the
 * connection's thread; not thread-safe.
 *
 * <p>With a {@link FanoutBatch}, messages for {@linkplain MessageQueue#fanOutCandidate() fan-out
 * candidates} (exclusive in-memory queues, pattern subscriptions' among them) are held there and
 * handed to their queues' loops when the connection flushes it, where a queue that keeps up passes
 * them straight to its consumer; the others are offered at once, as before.
 */
public final class Router {
    private final Topology topology;
    private final Caller caller;
    private final FanoutBatch fanout;
    private final List<MessageQueue> targets = new ArrayList<>();
    private final Consumer<MessageQueue> collector = targets::add;
    private final List<MessageQueue> congested = new ArrayList<>();
    private String refusedBy;
    private int refusedStoring;
    /** Most exchanges whose decision is cached; past it the cache starts again. */
    private static final int MAX_CACHED_DECISIONS = 256;
    private final Map<Exchange, Decision> decisions = new IdentityHashMap<>();
    private long decisionsGeneration = -1;
    private Exchange lastExchange;
    private Decision lastDecision;

    /** A router for {@code caller}'s publishes into {@code topology} that offers every message at once. */
    public Router(Topology topology, Caller caller) {
        this(topology, caller, null);
    }

    /**
     * A router for {@code caller}'s publishes into {@code topology} that holds messages for fan-out
     * candidates in {@code fanout} (if not null) until the connection flushes it.
     */
    public Router(Topology topology, Caller caller, FanoutBatch fanout) {
        this.topology = topology;
        this.caller = caller;
        this.fanout = fanout;
    }

    /**
     * Finds the queues bound for {@code routingKey} on {@code exchange}; returns how many.
     *
     * @throws CoreException if the exchange does not exist, the key is invalid or the caller may
     *     not write to the exchange
     */
    public int route(String exchange, String routingKey) {
        targets.clear();
        Exchange ex = topology.exchange(exchange);
        if (ex == null) {
            // Only a name that is not found can be too long; known names were checked when declared.
            Names.checkLength("exchange name", exchange);
            throw new CoreException(Reason.NOT_FOUND, "no exchange '" + exchange + "'");
        }
        String keyError = TopicPattern.validateRoutingKey(routingKey);
        if (keyError != null) {
            throw new CoreException(Reason.INVALID_ARGUMENT, keyError);
        }
        Decision d = decision(ex);
        if (d.refusal != null) {
            throw new CoreException(Reason.ACCESS_REFUSED, d.refusal);
        }
        if (d.topicRule != null && !d.topicRule.test(routingKey)) {
            throw AccessControl.topicRefusal(caller, exchange, routingKey, Access.WRITE);
        }
        ex.route(routingKey, collector);
        return targets.size();
    }

    /**
     * Whether the caller may publish to {@code ex}: asked of the access control once per exchange
     * and generation of the permissions, then cached (the last exchange in a field, the others in a
     * map), so that a message costs one identity comparison and one volatile read.
     */
    private Decision decision(Exchange ex) {
        AccessControl access = topology.access();
        long generation = access.generation();
        if (ex == lastExchange && generation == decisionsGeneration) {
            return lastDecision;
        }
        if (generation != decisionsGeneration) {
            decisions.clear();
            decisionsGeneration = generation;
        }
        Decision d = decisions.get(ex);
        if (d == null) {
            if (decisions.size() >= MAX_CACHED_DECISIONS) {
                // Exchanges deleted since are held here: forget them all now and then.
                decisions.clear();
            }
            String refusal = access.permits(caller.user(), caller.vhost(), ResourceKind.EXCHANGE, ex.name(),
                    Access.WRITE) ? null
                    : AccessControl.refusal(caller, ResourceKind.EXCHANGE, ex.name(), Access.WRITE).getMessage();
            Predicate<String> rule = ex.isTopic() && refusal == null
                    ? access.topicRule(caller.user(), caller.vhost(), Access.WRITE) : null;
            d = new Decision(refusal, rule);
            decisions.put(ex, d);
        }
        lastExchange = ex;
        lastDecision = d;
        return d;
    }

    /** A cached answer: the refusal's message (null if allowed) and the topic rule (null if none). */
    private record Decision(String refusal, Predicate<String> topicRule) {
    }

    /** How many of the routed queues store messages (their confirms wait for the disk). */
    public int storingTargets() {
        int n = 0;
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i).storesMessages()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Offers {@code message} to every routed queue, each taking one new reference to it; queues
     * that store messages tell {@code waiter}. Afterwards {@link #refusedBy()} names a queue that
     * was full, {@link #refusedStoring()} counts the storing queues that refused it (they will
     * not tell the waiter), and {@link #congested()} lists the queues that took it and whose flow
     * control now asks their publishers to stop. Fan-out candidates (which never refuse and never
     * store) get it from the {@link FanoutBatch} at its next flush; their flow control is read now,
     * as it stands after their latest dispatch.
     */
    public void enqueue(Message message, StoreWaiter waiter) {
        refusedBy = null;
        refusedStoring = 0;
        congested.clear();
        message.retain(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            MessageQueue q = targets.get(i);
            if (fanout != null && q.fanOutCandidate()) {
                fanout.add(q, message);
                noteCongestion(q);
                continue;
            }
            boolean stores = q.storesMessages();
            if (!q.enqueue(message, stores ? waiter : null)) {
                message.release();
                refusedBy = q.name();
                if (stores) {
                    refusedStoring++;
                }
            } else {
                noteCongestion(q);
            }
        }
        targets.clear();
    }

    /** Lists {@code q}, which took the message, among the {@link #congested()} ones if its flow control says so. */
    private void noteCongestion(MessageQueue q) {
        QueueFlow flow = q.flow();
        if (flow != null && flow.congested()) {
            congested.add(q);
        }
    }

    /**
     * The queues that took the last message and are congested: the connection should stop publishing
     * into them (PROTOCOL.md 7.8). Empty most of the time; valid until the next {@link #enqueue}.
     */
    public List<MessageQueue> congested() {
        return congested;
    }

    /** Forgets the routed queues without offering anything. */
    public void clear() {
        targets.clear();
    }

    /** A queue that refused the last message because it was full, or null. */
    public String refusedBy() {
        return refusedBy;
    }

    /** How many storing queues refused the last message. */
    public int refusedStoring() {
        return refusedStoring;
    }
}
