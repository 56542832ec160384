package io.relais.client.impl;

import io.netty.channel.EventLoopGroup;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * When to try to reconnect: asks the {@link ReconnectPolicy} for the delay before each attempt and runs the
 * attempt on an event loop of the client's group after it, or gives up when the policy says so.
 *
 * <p>Thread-safe and stateless beyond its arguments: the attempt number travels with each call, and the
 * policy must be thread-safe.
 */
final class ReconnectScheduler {
    private final ReconnectPolicy policy;
    private final EventLoopGroup group;
    private final String address;

    /** @param address the broker's address, for messages */
    ReconnectScheduler(ReconnectPolicy policy, EventLoopGroup group, String address) {
        this.policy = policy;
        this.group = group;
        this.address = address;
    }

    /** False when the policy never reconnects: a lost connection then closes the client. */
    boolean reconnects() {
        return policy.delayBeforeAttempt(1) != null;
    }

    /**
     * Runs {@code attempt} with the attempt number after the policy's delay, or calls {@code giveUp} with the
     * error that ends the client when the policy gives up (or the event loops have shut down).
     *
     * @param attempt 1 for the first attempt after a loss
     * @param cause why the connection was lost
     */
    void schedule(int attempt, RelaisException cause, IntConsumer run, Consumer<RelaisException> giveUp) {
        Duration delay = policy.delayBeforeAttempt(attempt);
        if (delay == null) {
            giveUp.accept(new RelaisException(cause.code(), attempt == 1 ? cause.getMessage()
                    + " (reconnection is disabled)" : "gave up reconnecting to " + address + " after "
                    + (attempt - 1) + " attempts", cause));
            return;
        }
        try {
            group.next().schedule(() -> run.accept(attempt), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            giveUp.accept(new RelaisException(null, "cannot reconnect: the client's event loops have shut down", e));
        }
    }
}
