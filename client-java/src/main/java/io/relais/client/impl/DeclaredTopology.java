package io.relais.client.impl;

import io.relais.client.ExchangeType;
import io.relais.client.QueueDeclaration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory of what a client declared and subscribed, so that a new connection can be given the same
 * topology: the exchanges, queues and bindings the broker accepted (and not deleted since), in the order they
 * were declared, and the subscriptions not cancelled.
 *
 * <p>After a reconnect, {@link #redeclare} declares them again in that order (idempotent for those that
 * survived on the broker, such as durable ones). A server-named queue gets a new name: the records, bindings
 * and subscriptions that used the old name follow it. Then {@link #resubscribe} makes every subscription again
 * with the same handler.
 *
 * <p>Thread-safe: the records are guarded by this object's monitor; the requests themselves are sent without
 * holding it.
 */
final class DeclaredTopology {
    private static final Logger LOG = LoggerFactory.getLogger(DeclaredTopology.class);

    private record ExchangeRecord(String name, ExchangeType type, boolean durable, boolean autoDelete) {
    }

    private record BindingRecord(String queue, String exchange, String pattern) {
    }

    private final Map<String, ExchangeRecord> exchanges = new LinkedHashMap<>();
    private final Map<String, QueueDeclaration> queues = new LinkedHashMap<>();
    private final Set<BindingRecord> bindings = new LinkedHashSet<>();
    private final Set<RecoverableSubscription> subscriptions = new LinkedHashSet<>();

    synchronized void exchangeDeclared(String name, ExchangeType type, boolean durable, boolean autoDelete) {
        exchanges.put(name, new ExchangeRecord(name, type, durable, autoDelete));
    }

    synchronized void exchangeDeleted(String name) {
        exchanges.remove(name);
        bindings.removeIf(b -> b.exchange().equals(name));
    }

    /** The broker declared {@code declaration} as {@code name}; passive declarations are not recorded. */
    synchronized void queueDeclared(String name, QueueDeclaration declaration) {
        if (!declaration.passive()) {
            queues.put(name, declaration);
        }
    }

    synchronized void queueDeleted(String name) {
        queues.remove(name);
        bindings.removeIf(b -> b.queue().equals(name));
    }

    synchronized void bound(String queue, String exchange, String pattern) {
        bindings.add(new BindingRecord(queue, exchange, pattern));
    }

    synchronized void unbound(String queue, String exchange, String pattern) {
        bindings.remove(new BindingRecord(queue, exchange, pattern));
    }

    synchronized void subscribed(RecoverableSubscription subscription) {
        subscriptions.add(subscription);
    }

    synchronized void cancelled(RecoverableSubscription subscription) {
        subscriptions.remove(subscription);
    }

    /** Declares again on {@code conn}, in order, every exchange, queue and binding recorded. */
    CompletableFuture<Void> redeclare(Connection conn) {
        List<ExchangeRecord> exs;
        List<Map.Entry<String, QueueDeclaration>> qs;
        synchronized (this) {
            exs = List.copyOf(exchanges.values());
            qs = List.copyOf(queues.entrySet());
        }
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (ExchangeRecord e : exs) {
            chain = chain.thenCompose(v -> conn.request(BrokerCall.declareExchange(e.name(), e.type(), e.durable(),
                    e.autoDelete())));
        }
        for (Map.Entry<String, QueueDeclaration> q : qs) {
            chain = chain.thenCompose(v -> conn.request(BrokerCall.declareQueue(q.getValue())))
                    .thenAccept(declared -> renamed(q.getKey(), declared.name()));
        }
        return chain.thenCompose(v -> {
            List<BindingRecord> bs;
            synchronized (this) {
                bs = List.copyOf(bindings);
            }
            CompletableFuture<Void> binds = CompletableFuture.completedFuture(null);
            for (BindingRecord b : bs) {
                binds = binds.thenCompose(x -> conn.request(BrokerCall.bind(b.queue(), b.exchange(), b.pattern())));
            }
            return binds;
        });
    }

    /** Makes every recorded subscription again on {@code conn}; completes when all are made. */
    CompletableFuture<Void> resubscribe(Connection conn) {
        List<RecoverableSubscription> subs;
        synchronized (this) {
            subs = List.copyOf(subscriptions);
        }
        CompletableFuture<?>[] resubscribed = new CompletableFuture<?>[subs.size()];
        for (int i = 0; i < subs.size(); i++) {
            resubscribed[i] = subs.get(i).resubscribe(conn);
        }
        return CompletableFuture.allOf(resubscribed);
    }

    /** A server-named queue came back with another name: follow it in the records. */
    private void renamed(String oldName, String newName) {
        if (oldName.equals(newName)) {
            return;
        }
        synchronized (this) {
            QueueDeclaration d = queues.remove(oldName);
            if (d != null) {
                queues.put(newName, d);
            }
            List<BindingRecord> moved = new ArrayList<>();
            bindings.removeIf(b -> {
                if (b.queue().equals(oldName)) {
                    moved.add(new BindingRecord(newName, b.exchange(), b.pattern()));
                    return true;
                }
                return false;
            });
            bindings.addAll(moved);
            for (RecoverableSubscription s : subscriptions) {
                s.queueRenamed(oldName, newName);
            }
        }
        LOG.info("server-named queue '{}' is now '{}'", oldName, newName);
    }
}
