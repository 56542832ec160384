package io.relais.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.codec.FrameEncoder;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Publish;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The frame codec on a typical PUBLISH ({@code SampleMessage}: 100-byte payload, content type,
 * message id, timestamp and two headers), as a client sends it.
 *
 * <ul>
 *   <li>{@link #encode}: {@link FrameEncoder#encodeToBuffer} into a pooled buffer, as the pipeline
 *       encoder does for payloads under {@link FrameEncoder#COPY_THRESHOLD} (header and payload in
 *       one buffer), then releases it.</li>
 *   <li>{@link #decode}: {@link FrameDecoder#decodeStored} of the encoded frame (the body decoding the
 *       pipeline decoder runs once it has a whole frame, without a channel), then releases the
 *       payload slice it returns.</li>
 * </ul>
 *
 * <p>Threading: a JMH {@code Scope.Thread} state; each benchmark thread has its own frame, buffer
 * and decoder (a {@link FrameDecoder} belongs to one thread).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final FrameDecoder decoder = new FrameDecoder(true, Integer.MAX_VALUE);
    private Publish publish;
    private ByteBuf encoded;

    /** Builds the frame and its encoded form. */
    @Setup
    public void setUp() {
        publish = new Publish(42, SampleMessage.EXCHANGE, SampleMessage.ROUTING_KEY, Publish.PERSISTENT,
                SampleMessage.PROPERTIES, SampleMessage.payload(alloc));
        encoded = FrameEncoder.encodeToBuffer(publish, alloc);
    }

    /** Releases the frame's payload and the encoded buffer. */
    @TearDown
    public void tearDown() {
        publish.release();
        encoded.release();
    }

    /** Encodes the PUBLISH into a new pooled buffer and releases it. */
    @Benchmark
    public void encode(Blackhole bh) {
        ByteBuf buf = FrameEncoder.encodeToBuffer(publish, alloc);
        bh.consume(buf.getByte(buf.writerIndex() - 1));
        buf.release();
    }

    /** Decodes the encoded PUBLISH and releases the payload slice of the result. */
    @Benchmark
    public void decode(Blackhole bh) {
        Frame frame = decoder.decodeStored(encoded);
        bh.consume(frame);
        ((Publish) frame).release();
    }

    /** The encoded frame, for checks; owned by this state. */
    ByteBuf encoded() {
        return encoded;
    }
}
