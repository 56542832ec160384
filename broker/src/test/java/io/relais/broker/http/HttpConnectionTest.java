package io.relais.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** One HTTP connection's ordering: pipelined requests are answered in the order they came, one at a time. */
class HttpConnectionTest {
    private final CompletableFuture<ApiResponse> slow = new CompletableFuture<>();
    private int slowCalls;
    private int fastCalls;
    private final ApiRouter router = new ApiRouter()
            .add(HttpMethod.GET, "/slow", ApiRouter.Level.PUBLIC, "slow", (r, p) -> {
                slowCalls++;
                return slow;
            })
            .add(HttpMethod.GET, "/fast", ApiRouter.Level.PUBLIC, "fast", (r, p) -> {
                fastCalls++;
                return CompletableFuture.completedFuture(ApiResponse.ok(Map.of("answer", "fast")));
            });
    private final EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(1024),
            new HttpConnection(new HttpApi(router, null)));

    private String written() {
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return out.toString();
    }

    @Test
    void shouldAnswerAPipelinedRequestOnlyAfterTheSlowOneBeforeIt() {
        channel.writeInbound(Unpooled.copiedBuffer("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n",
                StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        assertThat(written()).as("nothing before the first answer").isEmpty();
        assertThat(fastCalls).as("the second waits, unread").isZero();
        assertThat(channel.config().isAutoRead()).isFalse();
        slow.complete(ApiResponse.ok(Map.of("answer", "slow")));
        channel.runPendingTasks();
        String out = written();
        assertThat(slowCalls).isEqualTo(1);
        assertThat(fastCalls).isEqualTo(1);
        assertThat(out.indexOf("\"answer\":\"slow\"")).isPositive();
        assertThat(out.indexOf("\"answer\":\"fast\"")).isGreaterThan(out.indexOf("\"answer\":\"slow\""));
        assertThat(channel.config().isAutoRead()).as("reading resumes").isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void shouldCloseAfterAnsweringARequestThatAsksForIt() {
        channel.writeInbound(Unpooled.copiedBuffer("GET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        assertThat(written()).contains("HTTP/1.1 200 OK", "connection: close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldAnswer400AndCloseWhenTheRequestCannotBeDecoded() {
        channel.writeInbound(Unpooled.copiedBuffer("GET /fast HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
                StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        String out = written();
        assertThat(out).contains("400", "MALFORMED_FRAME");
        assertThat(channel.isOpen()).isFalse();
    }
}
