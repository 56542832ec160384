package io.relais.client.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisException;
import io.relais.protocol.ErrorCode;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When the client tries to reconnect, and when it gives up. */
class ReconnectSchedulerTest {
    private static final RelaisException LOST = new RelaisException(ErrorCode.HEARTBEAT_TIMEOUT,
            "connection c-1 to h:1 lost");

    private final EventLoopGroup group = new DefaultEventLoopGroup(1);
    private final BlockingQueue<Integer> attempts = new LinkedBlockingQueue<>();
    private final BlockingQueue<RelaisException> gaveUp = new LinkedBlockingQueue<>();

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void schedule(ReconnectPolicy policy, int attempt) {
        new ReconnectScheduler(policy, group, "h:1").schedule(attempt, LOST, attempts::add, gaveUp::add);
    }

    @Test
    void shouldRunTheAttemptWithItsNumberAfterThePolicyDelay() throws Exception {
        long start = System.nanoTime();
        schedule(ReconnectPolicy.fixed(Duration.ofMillis(50)), 3);

        assertThat(attempts.poll(5, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(45));
        assertThat(gaveUp).isEmpty();
    }

    @Test
    void shouldGiveUpAtOnceSayingSoWhenReconnectionIsDisabled() {
        ReconnectScheduler scheduler = new ReconnectScheduler(ReconnectPolicy.disabled(), group, "h:1");
        assertThat(scheduler.reconnects()).isFalse();

        schedule(ReconnectPolicy.disabled(), 1);

        RelaisException end = gaveUp.poll();
        assertThat(end).hasMessage("connection c-1 to h:1 lost (reconnection is disabled)").hasCause(LOST);
        assertThat(end.code()).isEqualTo(ErrorCode.HEARTBEAT_TIMEOUT);
        assertThat(attempts).isEmpty();
    }

    @Test
    void shouldGiveUpAfterTheLastAttemptWhenThePolicyIsLimited() {
        ReconnectPolicy policy = ReconnectPolicy.fixed(Duration.ofMillis(1)).limitedTo(2);
        assertThat(new ReconnectScheduler(policy, group, "h:1").reconnects()).isTrue();

        schedule(policy, 3);

        assertThat(gaveUp.poll()).hasMessage("gave up reconnecting to h:1 after 2 attempts");
    }

    @Test
    void shouldGiveUpWhenTheEventLoopsHaveShutDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();

        schedule(ReconnectPolicy.fixed(Duration.ofMillis(1)), 1);

        assertThat(gaveUp.poll()).hasMessage("cannot reconnect: the client's event loops have shut down");
    }
}
