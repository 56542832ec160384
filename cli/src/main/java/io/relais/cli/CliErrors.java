package io.relais.cli;

import io.relais.client.RelaisException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns exceptions into the one-line messages the CLI prints: a refusal of the broker, over the protocol or the
 * HTTP admin API alike, as {@code MESSAGE (ERROR_NAME, CODE)}. Stateless.
 */
final class CliErrors {
    private CliErrors() {
    }

    static String describe(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RelaisException re && re.code() != null) {
            return re.getMessage() + " (" + re.code().name() + ", " + re.code().code() + ")";
        }
        if (cause instanceof AdminApiException api) {
            return api.getMessage() + " (" + api.error() + (api.code() != 0 ? ", " + api.code() : "") + ")";
        }
        String message = cause.getMessage();
        return message == null ? cause.toString() : message;
    }
}
