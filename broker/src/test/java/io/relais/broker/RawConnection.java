package io.relais.broker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.codec.DecodeFailure;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.codec.FrameEncoder;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.Welcome;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A bare socket speaking the protocol frame by frame, for tests that need to misbehave: send
 * garbage, stop reading, skip heartbeats. Single-threaded.
 */
public final class RawConnection implements AutoCloseable {
    private static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(false, 64 * 1024 * 1024));

    /** Connects with a read timeout of 10 s. */
    public RawConnection(int port) throws IOException {
        this(port, DEFAULT_READ_TIMEOUT);
    }

    /** Connects; every read gives up after {@code readTimeout}. */
    public RawConnection(int port, Duration readTimeout) throws IOException {
        this(port, readTimeout, 0);
    }

    /**
     * Connects with a socket receive buffer of {@code receiveBufferBytes} (0 for the system's), for a
     * client that stops reading and should stop the server's writes soon; every read gives up after
     * {@code readTimeout}.
     */
    public RawConnection(int port, Duration readTimeout, int receiveBufferBytes) throws IOException {
        this("127.0.0.1", port, readTimeout, receiveBufferBytes);
    }

    /** Connects to {@code host} (another address of this machine, say) with a read timeout of 10 s. */
    public RawConnection(String host, int port) throws IOException {
        this(host, port, DEFAULT_READ_TIMEOUT, 0);
    }

    private RawConnection(String host, int port, Duration readTimeout, int receiveBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(new InetSocketAddress(host, port));
        socket.setSoTimeout((int) readTimeout.toMillis());
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Speaks over {@code socket}, already connected (a TLS socket, or one bound to another local address). */
    public RawConnection(Socket socket, Duration readTimeout) throws IOException {
        this.socket = socket;
        socket.setSoTimeout((int) readTimeout.toMillis());
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public Socket socket() {
        return socket;
    }

    /** Performs HELLO/AUTH as guest with every version 1 capability and the given heartbeat. */
    public Ready handshake(long heartbeatMillis) throws IOException {
        return handshake(ProtocolVersion.V1_CAPABILITIES, heartbeatMillis);
    }

    /** Performs HELLO/AUTH as guest, asking for {@code capabilities}, with the given heartbeat. */
    public Ready handshake(List<String> capabilities, long heartbeatMillis) throws IOException {
        send(new Hello(1, 1, "raw", capabilities));
        Frame welcome = read();
        if (!(welcome instanceof Welcome)) {
            throw new IOException("expected WELCOME, got " + welcome);
        }
        send(new Auth("PLAIN", "\0guest\0guest".getBytes(StandardCharsets.UTF_8), heartbeatMillis));
        Frame ready = read();
        if (!(ready instanceof Ready r)) {
            throw new IOException("expected READY, got " + ready);
        }
        return r;
    }

    /** Encodes and sends one frame, then releases it. */
    public void send(Frame frame) throws IOException {
        ByteBuf buf = FrameEncoder.encodeToBuffer(frame, UnpooledByteBufAllocator.DEFAULT);
        try {
            out.write(ByteBufUtil.getBytes(buf));
            out.flush();
        } finally {
            buf.release();
            ReferenceCountUtil.release(frame);
        }
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads the next frame; the caller releases payload frames. */
    public Frame read() throws IOException {
        int length = in.readInt();
        byte[] body = new byte[length];
        in.readFully(body);
        ByteBuf frame = Unpooled.buffer(4 + length).writeInt(length).writeBytes(body);
        decoder.writeInbound(frame);
        Object msg = decoder.readInbound();
        if (msg instanceof DecodeFailure f) {
            throw new IOException("undecodable frame from server: " + f);
        }
        return (Frame) msg;
    }

    /** Reads frames until the server closes the socket; returns them (payload frames released). */
    public List<Frame> readUntilClosed() throws IOException {
        List<Frame> frames = new ArrayList<>();
        try {
            while (true) {
                Frame f = read();
                frames.add(f);
                ReferenceCountUtil.release(f);
            }
        } catch (EOFException | SocketException e) {
            return frames;
        } catch (SocketTimeoutException e) {
            throw new IOException("server did not close the connection; got " + frames, e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        decoder.finishAndReleaseAll();
    }
}
