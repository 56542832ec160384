package io.relais.protocol.frame;

/**
 * A client frame that asks for exactly one answer: it carries a request id, and the server answers
 * with an {@link Answer} carrying the same id (PROTOCOL.md section 1.7).
 *
 * <p>Lets a receiver find the request id without switching on the frame type. Implemented by the
 * immutable request records of this package; thread-safe.
 */
public interface Request extends Frame {
    /** The id the answer will carry; 0 is not a valid request id. */
    long requestId();
}
