package io.relais.broker.net;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.relais.broker.core.OwnerLoop;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The broker's Netty event loops seen as the core's {@link OwnerLoop}s: one adapter per loop, made
 * once at start-up, so that a connection and the queues it owns can share a thread.
 *
 * <p>Immutable after construction; thread-safe.
 */
public final class NettyLoops implements Supplier<OwnerLoop> {
    private final Map<EventExecutor, OwnerLoop> byLoop = new IdentityHashMap<>();
    private final List<OwnerLoop> all = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    /** Adapters for every loop of {@code group}. */
    public NettyLoops(EventLoopGroup group) {
        for (EventExecutor e : group) {
            OwnerLoop adapter = new Adapter((EventLoop) e);
            byLoop.put(e, adapter);
            all.add(adapter);
        }
    }

    /** The adapter of {@code loop}, one of the group's. */
    public OwnerLoop of(EventLoop loop) {
        OwnerLoop adapter = byLoop.get(loop);
        if (adapter == null) {
            throw new IllegalArgumentException("not a loop of this broker: " + loop);
        }
        return adapter;
    }

    /** The next loop, round robin, for a new queue. */
    @Override
    public OwnerLoop get() {
        return all.get(Math.floorMod(next.getAndIncrement(), all.size()));
    }

    private record Adapter(EventLoop loop) implements OwnerLoop {
        @Override
        public boolean inLoop() {
            return loop.inEventLoop();
        }

        @Override
        public void execute(Runnable command) {
            loop.execute(command);
        }
    }
}
