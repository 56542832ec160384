package io.relais.protocol.frame;

/**
 * A server frame that answers a {@link Request}: it carries the request's id (PROTOCOL.md
 * section 1.7). An {@link ErrorFrame} with request id 0 is a connection error, not an answer.
 *
 * <p>Lets a client match answers to requests without switching on the frame type. Implemented by
 * the immutable answer records of this package; thread-safe.
 */
public interface Answer extends Frame {
    /** The id of the request this answers. */
    long requestId();
}
