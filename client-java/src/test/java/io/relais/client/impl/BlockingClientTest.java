package io.relais.client.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.client.BlockingClient;
import io.relais.client.DeclaredQueue;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BlockingClientTest {
    private MockServer server;
    private RelaisClient client;

    @AfterEach
    void tearDown() {
        MockServer.closeAll(client, server);
    }

    private static List<Frame> answer(Frame f) {
        if (f instanceof QueueDeclare d && d.name().equals("ok")) {
            return List.of(new QueueDeclareOk(d.requestId(), "ok", 3, 1));
        } else if (f instanceof QueueDeclare d && d.name().equals("refused")) {
            return List.of(new ErrorFrame(d.requestId(), ErrorCode.RESOURCE_LOCKED.code(), "exclusive elsewhere"));
        }
        return List.of();
    }

    @Test
    void shouldReturnTheAnswerThrowTheRefusalAndTimeOut() throws Exception {
        server = new MockServer().script(BlockingClientTest::answer).start();
        client = server.clientBuilder().connect();
        BlockingClient blocking = client.blocking(Duration.ofMillis(300));

        assertThat(blocking.declareQueue(QueueDeclaration.named("ok"))).isEqualTo(new DeclaredQueue("ok", 3, 1));
        assertThatThrownBy(() -> blocking.declareQueue(QueueDeclaration.named("refused")))
                .isInstanceOf(RelaisException.class).hasMessage("exclusive elsewhere")
                .satisfies(e -> assertThat(((RelaisException) e).code()).isEqualTo(ErrorCode.RESOURCE_LOCKED));
        long start = System.nanoTime();
        assertThatThrownBy(() -> blocking.declareQueue(QueueDeclaration.named("unanswered")))
                .isInstanceOf(RelaisException.class).hasMessageContaining("timed out after 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(blocking.async()).isSameAs(client);
    }
}
