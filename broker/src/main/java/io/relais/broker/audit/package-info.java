/**
 * The audit log: {@link io.relais.broker.audit.AuditLog} writes one JSON line
 * ({@link io.relais.broker.audit.AuditEvent}) per login, refused operation and change to users,
 * vhosts, permissions and durable definitions, with every client-supplied string escaped.
 */
package io.relais.broker.audit;
