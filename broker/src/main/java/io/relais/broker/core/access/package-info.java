/**
 * Access control: {@link io.relais.broker.core.access.AccessControl} answers whether a
 * {@link io.relais.broker.core.access.Caller} may have an {@link io.relais.broker.core.access.Access}
 * to a resource ({@link io.relais.broker.core.access.ResourceKind}, name, vhost), and for topic
 * exchanges whether a routing or binding key is allowed; the topology and the router call it for
 * every operation. {@link io.relais.broker.core.access.PermissionAccessControl} enforces the broker's
 * permission table ({@link io.relais.broker.core.access.Permission} per user and vhost, RabbitMQ's
 * configure/write/read and topic expressions), kept by a
 * {@link io.relais.broker.core.access.PermissionRepository}, and tells a
 * {@link io.relais.broker.core.access.RefusalListener} of each refusal;
 * {@link io.relais.broker.core.access.Administrators} says who may manage vhosts and permissions.
 */
package io.relais.broker.core.access;
