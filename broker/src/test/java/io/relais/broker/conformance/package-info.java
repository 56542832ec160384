/**
 * The conformance suite: a real broker driven with raw frames and checked against
 * {@code protocol-spec/PROTOCOL.md}, one test class per group of spec sections.
 *
 * <p>Every test names the section it checks in its display name. Tests speak the wire only: they
 * start the broker through {@code Broker.start}, connect a {@code Peer}
 * (a bare socket, no client library), write frames with the protocol codec or as literal bytes
 * ({@code Bytes}) and compare every answer (frame type, request id,
 * error code, whether the connection closes, whether CLOSE_OK follows) with what the document
 * says. A failing test is a departure of the broker from the document, or a mistake in the
 * document; the tests are written to the document, never to the broker.
 *
 * <p>Each class runs one broker for all its tests (the shutdown tests, whose stimulus is stopping
 * the broker, start one per test), and every read gives up after {@code Peer.READ_TIMEOUT}.
 */
package io.relais.broker.conformance;
