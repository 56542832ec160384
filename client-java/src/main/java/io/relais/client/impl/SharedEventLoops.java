package io.relais.client.impl;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ThreadFactory;

/**
 * The event loop group shared by every client of the JVM that was not given one: created on first use,
 * epoll when the native transport is available, NIO otherwise, from daemon threads so that it never keeps
 * the JVM alive. It is never shut down.
 *
 * <p>Thread-safe (class-holder idiom).
 */
final class SharedEventLoops {
    /** Threads of the shared group: the number of processors, at most this many. */
    static final int MAX_THREADS = 4;

    private SharedEventLoops() {
    }

    private static final class Holder {
        static final EventLoopGroup GROUP = create();
    }

    static EventLoopGroup group() {
        return Holder.GROUP;
    }

    /** The socket channel class that goes with a group. */
    static Class<? extends SocketChannel> channelClass(EventLoopGroup group) {
        return group instanceof EpollEventLoopGroup ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    private static EventLoopGroup create() {
        int threads = Math.max(1, Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors()));
        ThreadFactory factory = new DefaultThreadFactory("relais-client-io", true);
        return Epoll.isAvailable() ? new EpollEventLoopGroup(threads, factory)
                : new NioEventLoopGroup(threads, factory);
    }
}
