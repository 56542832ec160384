package io.relais.protocol;

/**
 * A protocol violation or a refused request, carrying its {@link ErrorCode}.
 *
 * <p>Thrown by the codec for malformed input and used by both sides to report errors with a
 * stable code. Immutable once constructed.
 */
public class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ProtocolException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The error code this exception reports. */
    public ErrorCode code() {
        return code;
    }
}
