package io.relais.broker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
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
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A bare socket speaking the protocol frame by frame, for tests that need to misbehave: send
 * garbage, stop reading, skip heartbeats. Single-threaded.
 */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(false, 64 * 1024 * 1024));

    RawConnection(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    Socket socket() {
        return socket;
    }

    /** Performs HELLO/AUTH as guest with the given heartbeat. */
    Ready handshake(long heartbeatMillis) throws IOException {
        send(new Hello(1, 1, "raw", ProtocolVersion.V1_CAPABILITIES));
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

    void send(Frame frame) throws IOException {
        ByteBuf buf = FrameEncoder.encodeToBuffer(frame, UnpooledByteBufAllocator.DEFAULT);
        try {
            out.write(ByteBufUtil.getBytes(buf));
            out.flush();
        } finally {
            buf.release();
            io.netty.util.ReferenceCountUtil.release(frame);
        }
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads the next frame; payload frames are released after being copied out by the caller... here simply returned. */
    Frame read() throws IOException {
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
    List<Frame> readUntilClosed() throws IOException {
        java.util.ArrayList<Frame> frames = new java.util.ArrayList<>();
        try {
            while (true) {
                Frame f = read();
                frames.add(f);
                io.netty.util.ReferenceCountUtil.release(f);
            }
        } catch (EOFException | java.net.SocketException e) {
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
