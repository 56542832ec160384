/**
 * Virtual hosts: {@link io.relais.broker.core.vhost.VirtualHosts} keeps one
 * {@link io.relais.broker.core.routing.Topology} per virtual host, each with its own durable
 * definitions and queue stores ({@link io.relais.broker.core.vhost.VhostStorage}), and the durable
 * set of their names ({@link io.relais.broker.core.vhost.VhostRepository}); it creates and deletes
 * them at run time.
 */
package io.relais.broker.core.vhost;
