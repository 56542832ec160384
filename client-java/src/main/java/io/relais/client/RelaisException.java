package io.relais.client;

import io.relais.protocol.ErrorCode;

/**
 * A failure reported by the client: a request the broker refused, a connection that could not be opened
 * or was lost, a request that timed out.
 *
 * <p>{@link #code()} is the protocol error code when the broker sent one, {@code null} otherwise (connect
 * failures, timeouts, a closed connection). {@link #rawCode()} is the numeric code as received, which also
 * covers codes that a newer broker may send and this version does not know.
 *
 * <p>Unchecked, so it can travel through {@link java.util.concurrent.CompletableFuture}s: a failed future
 * completes exceptionally with a {@code RelaisException} (wrapped in a
 * {@link java.util.concurrent.CompletionException} by {@code join()}). Immutable; thread-safe.
 */
public class RelaisException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ErrorCode code;
    private final int rawCode;

    /**
     * @param code the protocol error code, or {@code null} when the failure is not a protocol error
     * @param message what went wrong
     */
    public RelaisException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /**
     * @param code the protocol error code, or {@code null} when the failure is not a protocol error
     * @param message what went wrong
     * @param cause the underlying failure, or {@code null}
     */
    public RelaisException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.rawCode = code == null ? 0 : code.code();
    }

    /**
     * For a numeric code as received from the broker, known to this version or not.
     *
     * @param rawCode the numeric error code, 0 for none
     * @param message what went wrong
     */
    public RelaisException(int rawCode, String message) {
        super(message);
        this.code = ErrorCode.of(rawCode);
        this.rawCode = rawCode;
    }

    /**
     * The exception for an ERROR the broker sent: {@link AccessRefusedException} for 1013,
     * {@link AuthenticationException} for 2006, a plain {@code RelaisException} otherwise.
     */
    public static RelaisException fromBroker(int rawCode, String message) {
        if (rawCode == ErrorCode.ACCESS_REFUSED.code()) {
            return new AccessRefusedException(message);
        }
        if (rawCode == ErrorCode.AUTHENTICATION_FAILED.code()) {
            return new AuthenticationException(message);
        }
        return new RelaisException(rawCode, message);
    }

    /** The protocol error code, or {@code null} when this is not a protocol error or the code is unknown. */
    public ErrorCode code() {
        return code;
    }

    /** The numeric error code as received, or 0 when there is none. */
    public int rawCode() {
        return rawCode;
    }

    /** True when the broker closes the connection after this error (codes 2000-2999). */
    public boolean isFatal() {
        return rawCode >= 2000 && rawCode < 3000;
    }

    @Override
    public String toString() {
        String name = getClass().getName();
        String prefix = rawCode == 0 ? name : name + " [" + rawCode + (code == null ? "" : " " + code) + "]";
        String message = getLocalizedMessage();
        return message == null ? prefix : prefix + ": " + message;
    }
}
