/**
 * The HTTP front end: the admin API (JSON under {@code /api}, described by {@code /api/openapi.json}),
 * the health checks ({@code /health/live}, {@code /health/ready}), {@code /metrics} and the static files of
 * the web UI, on a listener of its own ({@code http.*} in the configuration). {@link
 * io.relais.broker.http.HttpServer} binds it; {@link io.relais.broker.http.HttpPipeline} builds each
 * connection's pipeline (TLS, codec, a bounded aggregator, {@link io.relais.broker.http.HttpConnection});
 * {@link io.relais.broker.http.ApiRouter} maps a method and path to an endpoint of one of the
 * {@code *Endpoints} classes, after {@link io.relais.broker.http.HttpAuthenticator} has checked the
 * caller (HTTP Basic against the user database, PBKDF2 off the event loop, or a bearer token of
 * {@link io.relais.broker.http.BearerTokens}). Endpoints call the same core as the Relais protocol
 * (topologies with a {@link io.relais.broker.core.access.Caller} named {@code http:ADDRESS}, the
 * management view, and {@link io.relais.broker.admin.AdminService} for users, virtual hosts and
 * permissions), so permissions and audit lines are the protocol's. Nothing here blocks an event loop.
 */
package io.relais.broker.http;
