/**
 * The read-only management view: {@link io.relais.broker.core.manage.ManagementView} gives snapshots
 * ({@link io.relais.broker.core.manage.VhostSnapshot}, {@link io.relais.broker.core.manage.ExchangeSnapshot},
 * {@link io.relais.broker.core.manage.QueueSnapshot},
 * {@link io.relais.broker.core.manage.ConnectionSnapshot}, bindings) that listings, metrics and an admin
 * API read; front ends expose their connections through
 * {@link io.relais.broker.core.manage.ConnectionSource}.
 */
package io.relais.broker.core.manage;
