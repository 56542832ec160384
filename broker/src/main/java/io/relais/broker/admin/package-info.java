/**
 * Broker administration shared by the front ends: {@link io.relais.broker.admin.AdminService} creates and
 * deletes virtual hosts, sets and clears permissions, and creates, changes and deletes users, each only for an
 * administrator, each change and refusal written to the audit log. The Relais protocol's requests
 * (PROTOCOL.md 4.36-4.47) and the HTTP admin API both call it, so the two cannot drift apart.
 */
package io.relais.broker.admin;
