/**
 * Routing core of the broker: which queues (or other targets) a published message goes to.
 *
 * <p>An exchange holds one {@link io.relais.broker.routing.BindingTable} matching its type:
 * {@link io.relais.broker.routing.TopicTrie} for {@code topic} exchanges (AMQP wildcard patterns,
 * rules in {@link io.relais.broker.routing.TopicPattern}), {@link io.relais.broker.routing.DirectTable}
 * for {@code direct} exchanges (exact key) and {@link io.relais.broker.routing.FanoutTable} for
 * {@code fanout} exchanges (every target). Every call to {@code match} hands each matching target to
 * the sink exactly once.
 *
 * <p>Threading: every table is immutable. {@code with}, {@code without} and {@code withoutTarget}
 * return a new version that shares unchanged structure with the old one (path copying); the old
 * version stays valid and unchanged. The intended use is one writer at a time (bind/unbind are
 * serialised by the owner of the exchange) publishing the newest version through a
 * {@code volatile} field, and any number of publishing threads reading that field and calling
 * {@code match} without locks. All fields of the tables are {@code final} and the arrays they hold
 * are never written after construction, so a version is safe to share once its reference is read.
 */
package io.relais.broker.routing;
