package io.relais.broker.config;

/**
 * A configuration that cannot be used: the message names the file and key and says what is wrong.
 * Start-up stops on it. Immutable.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
