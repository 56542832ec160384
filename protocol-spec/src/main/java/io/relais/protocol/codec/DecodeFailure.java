package io.relais.protocol.codec;

import io.relais.protocol.ErrorCode;

/**
 * Emitted by {@link FrameDecoder}, once, in place of a frame when the input is not valid. After it
 * the decoder discards everything it receives; the handler answers with an ERROR frame and closes
 * the connection.
 *
 * <p>Immutable; thread-safe.
 *
 * @param code why the input was refused
 * @param message what exactly was wrong, for the error frame and the log
 */
public record DecodeFailure(ErrorCode code, String message) {
}
