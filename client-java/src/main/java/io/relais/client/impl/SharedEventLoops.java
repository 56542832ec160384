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
 * The event loop groups of the clients: the one shared by every client of the JVM that was not given or
 * asked for its own, created on first use and never shut down, and the groups of clients that asked for
 * their own I/O threads ({@code ioThreads}), which those clients shut down. Each is epoll when the native
 * transport is available, NIO otherwise, from daemon threads so that it never keeps the JVM alive.
 *
 * <p>Thread-safe (class-holder idiom).
 */
final class SharedEventLoops {
    /** Threads of the shared group: the number of processors, at most this many. */
    static final int MAX_THREADS = 4;
    /** Name of the shared group's threads; a thread number follows. */
    static final String SHARED_THREAD_PREFIX = "relais-client-io";
    /** Name of the threads of a client's own group; a thread number follows. */
    static final String OWN_THREAD_PREFIX = "relais-client-own-io";

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
        return create(Math.max(1, Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors())),
                SHARED_THREAD_PREFIX);
    }

    /** A new group of {@code threads} daemon threads named {@code threadPrefix}-N; the caller shuts it down. */
    static EventLoopGroup create(int threads, String threadPrefix) {
        ThreadFactory factory = new DefaultThreadFactory(threadPrefix, true);
        return Epoll.isAvailable() ? new EpollEventLoopGroup(threads, factory)
                : new NioEventLoopGroup(threads, factory);
    }
}
