package io.relais.broker.core;

/**
 * An operation of the core was refused: a {@link Reason} and a message meant for the client.
 *
 * <p>Front ends catch it and answer with their own error form; it never closes a connection by
 * itself. Immutable; carries no stack trace, since it reports a refused request, not a bug.
 */
public final class CoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Reason reason;

    /** A refusal for {@code reason}, explained by {@code message}. */
    public CoreException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    /** Why the operation was refused. */
    public Reason reason() {
        return reason;
    }
}
