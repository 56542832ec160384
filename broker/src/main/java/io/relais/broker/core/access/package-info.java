/**
 * The access-check seam: {@link io.relais.broker.core.access.AccessControl} answers whether a
 * {@link io.relais.broker.core.access.Caller} may have an {@link io.relais.broker.core.access.Access}
 * to a resource ({@link io.relais.broker.core.access.ResourceKind}, name, vhost). The topology and the
 * router call it for every operation; today it permits everything.
 */
package io.relais.broker.core.access;
