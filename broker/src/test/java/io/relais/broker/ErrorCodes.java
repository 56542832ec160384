package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.client.RelaisException;
import io.relais.protocol.ErrorCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Assertions on the error code a client request fails with. Stateless. */
final class ErrorCodes {
    private ErrorCodes() {
    }

    /** {@code f} fails within 10 s with a {@link RelaisException} carrying {@code code}. */
    static void assertCode(CompletableFuture<?> f, ErrorCode code) {
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RelaisException.class)
                .satisfies(e -> assertThat(((RelaisException) e).code()).isEqualTo(code));
    }
}
