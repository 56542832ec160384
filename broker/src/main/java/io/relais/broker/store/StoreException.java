package io.relais.broker.store;

/**
 * Durable state that cannot be read or written: the message names the file, says what is wrong
 * with it and what the operator can do. Start-up stops on it. Immutable.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
