package io.relais.client;

import io.relais.protocol.frame.PermissionInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Users' permissions in virtual hosts, for administrators (PROTOCOL.md 4.44-4.47, 5.4):
 * {@link RelaisClient#permissions()}. Expressions are regular expressions with RabbitMQ's meaning;
 * {@code ""} for configure, write or read allows nothing, for a topic expression restricts nothing.
 * Every call is one request on the client's connection; a user without the {@code administrator}
 * tag gets {@link AccessRefusedException}. Thread-safe.
 */
public interface PermissionAdmin {
    /** Sets (replaces) {@code user}'s permissions in {@code vhost}, with no topic restriction. */
    default CompletableFuture<Void> set(String user, String vhost, String configure, String write, String read) {
        return set(user, vhost, configure, write, read, "", "");
    }

    /**
     * Sets (replaces) {@code user}'s permissions in {@code vhost}.
     *
     * @param topicWrite the routing keys the user may publish to topic exchanges; "" for any
     * @param topicRead the binding keys the user may bind with from topic exchanges; "" for any
     */
    CompletableFuture<Void> set(String user, String vhost, String configure, String write, String read,
                                String topicWrite, String topicRead);

    /** Clears {@code user}'s permissions in {@code vhost}; completes with true if there were some. */
    CompletableFuture<Boolean> clear(String user, String vhost);

    /** The permissions in {@code vhost}, or in every virtual host when it is null, sorted by vhost and user. */
    CompletableFuture<List<PermissionInfo>> list(String vhost);
}
