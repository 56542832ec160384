package io.relais.client.impl;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.FrameType;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.codec.DecodeFailure;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.codec.FrameEncoder;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.AuthChallenge;
import io.relais.protocol.frame.AuthResponse;
import io.relais.protocol.frame.Close;
import io.relais.protocol.frame.CloseOk;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.Welcome;
import java.net.InetSocketAddress;
import io.relais.protocol.sasl.Scram;
import io.relais.protocol.sasl.ScramCredential;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A scripted broker for client tests: a Netty server on an ephemeral port, with the real codec, that
 * performs the handshake (or fails it at a chosen step) and then answers each frame the client sends with
 * whatever the test's script returns. Every frame received after READY is recorded in order; PUBLISH
 * payloads are copied to unpooled heap buffers so tests never deal with reference counts.
 *
 * <p>One client connection at a time (the latest). Configure before {@link #start()}; the script and
 * {@link #send(Frame...)} may be used from any thread afterwards.
 */
final class MockServer implements AutoCloseable {
    static final String USER = "guest";
    static final String PASSWORD = "guest";
    static final String CONNECTION_ID = "conn-1";

    /** Where the handshake goes wrong, if anywhere. */
    enum Handshake {
        /** HELLO -> WELCOME, AUTH -> READY (or ERROR 2006 for wrong credentials). */
        NORMAL,
        /** Close the socket when HELLO arrives. */
        CLOSE_AFTER_HELLO,
        /** Never answer HELLO. */
        SILENT_AFTER_HELLO,
        /** Answer HELLO with a fatal ERROR(0, 2005) and close. */
        ERROR_ON_HELLO,
        /** Offer only ANONYMOUS in WELCOME. */
        NO_PLAIN,
        /** Answer AUTH with ERROR(0, 2006) and close, whatever the credentials. */
        ERROR_ON_AUTH,
        /** Never answer AUTH. */
        SILENT_AFTER_AUTH,
        /** Offer SCRAM-SHA-256 then PLAIN, and run the SCRAM exchange with the credentials of USER / PASSWORD. */
        SCRAM,
        /** As SCRAM, but the server-final-message carries a wrong signature: a server without the credentials. */
        SCRAM_WRONG_SIGNATURE
    }

    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Hello> hello = new CompletableFuture<>();
    private final CompletableFuture<Auth> auth = new CompletableFuture<>();
    private volatile CompletableFuture<Void> disconnected = new CompletableFuture<>();
    private volatile Function<Frame, List<Frame>> script = f -> List.of();
    private volatile Channel client;
    private volatile Handshake handshake = Handshake.NORMAL;
    private final AtomicInteger connections = new AtomicInteger();
    private long heartbeatMillis;
    private boolean answerClose = true;
    private Channel server;

    MockServer handshake(Handshake handshake) {
        this.handshake = handshake;
        return this;
    }

    /** Heartbeat the server proposes in WELCOME; 0 (default) for none. */
    MockServer heartbeat(Duration heartbeat) {
        this.heartbeatMillis = heartbeat.toMillis();
        return this;
    }

    /** Whether a client CLOSE is answered with CLOSE_OK (default true). */
    MockServer answerClose(boolean answerClose) {
        this.answerClose = answerClose;
        return this;
    }

    /** What to send back for each frame received after READY (CLOSE is handled by the server). */
    MockServer script(Function<Frame, List<Frame>> script) {
        this.script = script;
        return this;
    }

    MockServer start() throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast("decoder", new FrameDecoder(true))
                                .addLast("encoder", FrameEncoder.INSTANCE)
                                .addLast("handler", new Session());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        return this;
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    /**
     * A client builder pointed at this server, with short timeouts and reconnection off (tests of one
     * connection's life); reconnect tests turn it on.
     */
    RelaisClient.Builder clientBuilder() {
        return RelaisClient.builder().server(address())
                .connectTimeout(Duration.ofSeconds(5)).requestTimeout(Duration.ofSeconds(5))
                .reconnect(ReconnectPolicy.disabled());
    }

    /** Closes the socket of the current client connection, as a network failure or a crashed broker would. */
    void dropClient() {
        Channel ch = client;
        if (ch != null) {
            ch.close().syncUninterruptibly();
        }
    }

    /** Stops reading from the current client connection, as a stalled broker would: TCP backpressure. */
    void stopReading() {
        Channel ch = client;
        ch.eventLoop().submit(() -> ch.config().setAutoRead(false)).syncUninterruptibly();
    }

    /** Closes a test's client, then its server; either may be null. */
    static void closeAll(RelaisClient client, MockServer server) {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** How many connections the server has accepted so far. */
    int connections() {
        return connections.get();
    }

    /** Sends frames to the connected client. */
    void send(Frame... frames) {
        Channel ch = client;
        for (Frame f : frames) {
            ch.write(f);
        }
        ch.flush();
    }

    /** The next frame received after READY, within 5 s. */
    Frame take() throws InterruptedException {
        Frame f = received.poll(5, TimeUnit.SECONDS);
        if (f == null) {
            throw new AssertionError("no frame received within 5 s");
        }
        return f;
    }

    /** The next received frame of this class, skipping heartbeats, within 5 s. */
    <F extends Frame> F take(Class<F> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            Frame f = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (f == null) {
                throw new AssertionError("no " + type.getSimpleName() + " received within 5 s");
            }
            if (f.type() == FrameType.HEARTBEAT && !type.isInstance(f)) {
                continue;
            }
            if (!type.isInstance(f)) {
                throw new AssertionError("expected " + type.getSimpleName() + ", received " + f);
            }
            return type.cast(f);
        }
    }

    /** The frames received so far and not taken. */
    List<Frame> drain(Predicate<Frame> filter) {
        List<Frame> all = new ArrayList<>();
        received.drainTo(all);
        all.removeIf(filter.negate());
        return all;
    }

    CompletableFuture<Hello> hello() {
        return hello;
    }

    CompletableFuture<Auth> auth() {
        return auth;
    }

    /** Completes when the current client connection is closed. */
    CompletableFuture<Void> disconnected() {
        return disconnected;
    }

    @Override
    public void close() {
        if (group.isShuttingDown()) {
            return;
        }
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The server side of one connection. */
    private boolean scram() {
        return handshake == Handshake.SCRAM || handshake == Handshake.SCRAM_WRONG_SIGNATURE;
    }

    private final class Session extends SimpleChannelInboundHandler<Object> {
        private boolean open;
        private String clientFirstBare;
        private String serverFirst;
        private long proposedHeartbeat;
        private final ScramCredential credential = ScramCredential.derive(PASSWORD, new byte[16], 4096);

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connections.incrementAndGet();
            client = ctx.channel();
            disconnected = new CompletableFuture<>();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            disconnected.complete(null);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof DecodeFailure failure) {
                ctx.writeAndFlush(new ErrorFrame(0, failure.code().code(), failure.message()))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            Frame frame = (Frame) msg;
            if (!open) {
                handshake(ctx, frame);
                return;
            }
            if (frame instanceof Close && answerClose) {
                received.add(frame);
                ctx.writeAndFlush(CloseOk.INSTANCE);
                return;
            }
            received.add(frame instanceof Publish p ? copy(p) : frame);
            List<Frame> answers = script.apply(frame);
            for (Frame answer : answers) {
                ctx.write(answer);
            }
            ctx.flush();
        }

        private Frame copy(Publish p) {
            return new Publish(p.seq(), p.exchange(), p.routingKey(), p.flags(), p.properties(),
                    Unpooled.wrappedBuffer(ByteBufUtil.getBytes(p.payload())));
        }

        private void handshake(ChannelHandlerContext ctx, Frame frame) {
            if (frame instanceof Hello h) {
                hello.complete(h);
                switch (handshake) {
                    case CLOSE_AFTER_HELLO -> ctx.close();
                    case SILENT_AFTER_HELLO -> {
                    }
                    case ERROR_ON_HELLO -> ctx.writeAndFlush(new ErrorFrame(0,
                            ErrorCode.UNSUPPORTED_VERSION.code(), "no common protocol version"))
                            .addListener(ChannelFutureListener.CLOSE);
                    default -> ctx.writeAndFlush(new Welcome(ProtocolVersion.V1, "relais", "test",
                            ProtocolVersion.V1_CAPABILITIES,
                            handshake == Handshake.NO_PLAIN ? List.of(ProtocolVersion.MECH_ANONYMOUS)
                                    : scram() ? List.of(ProtocolVersion.MECH_SCRAM_SHA_256, ProtocolVersion.MECH_PLAIN)
                                    : List.of(ProtocolVersion.MECH_PLAIN),
                            ProtocolVersion.DEFAULT_MAX_FRAME_SIZE, heartbeatMillis));
                }
            } else if (frame instanceof Auth a && a.mechanism().equals(ProtocolVersion.MECH_SCRAM_SHA_256)) {
                auth.complete(a);
                proposedHeartbeat = a.heartbeatMillis();
                clientFirstBare = new String(a.response(), StandardCharsets.UTF_8).substring(3);
                String nonce = Scram.attributes(clientFirstBare).get('r') + "server";
                serverFirst = "r=" + nonce + ",s=" + Scram.base64(credential.salt()) + ",i=4096";
                ctx.writeAndFlush(new AuthChallenge(serverFirst.getBytes(StandardCharsets.UTF_8), false));
            } else if (frame instanceof AuthResponse r) {
                String last = new String(r.data(), StandardCharsets.UTF_8);
                byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + last.substring(0,
                        last.lastIndexOf(",p="))).getBytes(StandardCharsets.UTF_8);
                byte[] proof = Scram.unbase64(Scram.attributes(last).get('p'));
                byte[] clientKey = Scram.xor(proof, Scram.hmac(credential.storedKey(), authMessage));
                if (!Scram.equal(Scram.sha256(clientKey), credential.storedKey())) {
                    ctx.writeAndFlush(new ErrorFrame(0, ErrorCode.AUTHENTICATION_FAILED.code(),
                            "authentication failed")).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                byte[] signature = handshake == Handshake.SCRAM_WRONG_SIGNATURE ? new byte[32]
                        : Scram.hmac(credential.serverKey(), authMessage);
                ctx.write(new AuthChallenge(("v=" + Scram.base64(signature)).getBytes(StandardCharsets.UTF_8), true));
                open = true;
                ctx.pipeline().get(FrameDecoder.class).maxFrameSize(ProtocolVersion.DEFAULT_MAX_FRAME_SIZE);
                long hb = proposedHeartbeat == 0 ? heartbeatMillis : heartbeatMillis == 0 ? proposedHeartbeat
                        : Math.min(heartbeatMillis, proposedHeartbeat);
                ctx.writeAndFlush(new Ready(CONNECTION_ID, hb));
            } else if (frame instanceof Auth a) {
                auth.complete(a);
                String expected = "\0" + USER + "\0" + PASSWORD;
                boolean ok = expected.equals(new String(a.response(), StandardCharsets.UTF_8));
                if (handshake == Handshake.SILENT_AFTER_AUTH) {
                    return;
                }
                if (handshake == Handshake.ERROR_ON_AUTH || !ok) {
                    ctx.writeAndFlush(new ErrorFrame(0, ErrorCode.AUTHENTICATION_FAILED.code(),
                            "authentication failed")).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                long hb = a.heartbeatMillis() == 0 ? heartbeatMillis
                        : heartbeatMillis == 0 ? a.heartbeatMillis() : Math.min(heartbeatMillis, a.heartbeatMillis());
                open = true;
                ctx.pipeline().get(FrameDecoder.class).maxFrameSize(ProtocolVersion.DEFAULT_MAX_FRAME_SIZE);
                ctx.writeAndFlush(new Ready(CONNECTION_ID, hb));
            } else {
                ctx.writeAndFlush(new ErrorFrame(0, ErrorCode.UNEXPECTED_FRAME.code(), frame.type() + " before READY"))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
