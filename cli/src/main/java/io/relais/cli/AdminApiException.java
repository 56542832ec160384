package io.relais.cli;

/**
 * An error answer of the broker's HTTP admin API: its HTTP status and its JSON document's {@code error} (the
 * protocol's error code name, e.g. ACCESS_REFUSED), {@code code} (its number, e.g. 1013) and {@code message}.
 * Immutable.
 */
final class AdminApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;
    private final int code;

    AdminApiException(int status, String error, int code, String message) {
        super(message);
        this.status = status;
        this.error = error;
        this.code = code;
    }

    /** The HTTP status, e.g. 403. */
    int status() {
        return status;
    }

    /** The error code's name, e.g. ACCESS_REFUSED. */
    String error() {
        return error;
    }

    /** The error code's number, e.g. 1013; 0 if the answer had none. */
    int code() {
        return code;
    }
}
