/**
 * The model and its operations: {@link io.relais.broker.core.routing.Topology} (one vhost's
 * exchanges, queues and bindings, changed on its own thread and saved through a
 * {@link io.relais.broker.core.routing.DefinitionsRepository}; durable queues' backlogs come from
 * a {@link io.relais.broker.core.routing.QueueStorage}), {@link io.relais.broker.core.routing.Router}
 * (the publish operation of one connection), {@link io.relais.broker.core.routing.Exchange}, the
 * persisted definition records, and the routing tables: which queues a published message goes to.
 * A {@link io.relais.broker.core.routing.ChangeListener} is told of every change to durable
 * definitions, bind, unbind and purge (the broker audits them). The topology's changes of one queue name run in line, each once the store work of the one before
 * has finished, through a {@link io.relais.broker.core.routing.NameSequencer}, without the
 * topology's thread ever waiting.
 *
 * <p>An exchange holds one {@link io.relais.broker.core.routing.BindingTable} matching its type:
 * {@link io.relais.broker.core.routing.TopicTrie} for {@code topic} exchanges (AMQP wildcard patterns,
 * rules in {@link io.relais.broker.core.routing.TopicPattern}), {@link io.relais.broker.core.routing.DirectTable}
 * for {@code direct} exchanges (exact key) and {@link io.relais.broker.core.routing.FanoutTable} for
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
package io.relais.broker.core.routing;
