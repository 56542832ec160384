package io.relais.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.relais.protocol.codec.DecodeFailure;
import io.relais.protocol.codec.FrameDecoder;
import io.relais.protocol.codec.FrameEncoder;
import io.relais.protocol.frame.Frame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every hex example in PROTOCOL.md (the first line of each {@code text} block that is all hex)
 * decodes into frames and re-encodes to the same bytes, so the specification cannot drift from the
 * codec.
 */
@ExtendWith(LeakCheck.class)
class SpecExamplesTest {
    private static final Pattern HEX_LINE = Pattern.compile("[0-9a-f]{2}( [0-9a-f]{2})+");

    private static Path spec() {
        Path p = Path.of("PROTOCOL.md").toAbsolutePath();
        return Files.exists(p) ? p : Path.of("protocol-spec", "PROTOCOL.md").toAbsolutePath();
    }

    static List<String> examples() throws IOException {
        List<String> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(spec());
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).trim().equals("```text") && HEX_LINE.matcher(lines.get(i + 1).trim()).matches()) {
                out.add(lines.get(i + 1).trim());
            }
        }
        return out;
    }

    @Test
    void shouldRoundTripEveryHexExampleWhenDecodedAndEncoded() throws IOException {
        List<String> examples = examples();
        assertThat(examples).as("hex examples in PROTOCOL.md").hasSizeGreaterThanOrEqualTo(32);
        for (String hex : examples) {
            byte[] bytes = ByteBufUtil.decodeHexDump(hex.replace(" ", ""));
            List<Frame> frames = decode(bytes);
            assertThat(frames).as("frames in example %s", hex).isNotEmpty();
            ByteBuf again = Unpooled.buffer();
            for (Frame f : frames) {
                ByteBuf one = FrameEncoder.encodeToBuffer(f, Unpooled.buffer().alloc());
                again.writeBytes(one);
                one.release();
                ReferenceCountUtil.release(f);
            }
            assertThat(ByteBufUtil.hexDump(again)).as("re-encoded example").isEqualTo(hex.replace(" ", ""));
            again.release();
        }
    }

    /** Decodes with the side that may receive each frame: server first, then client. */
    private static List<Frame> decode(byte[] bytes) {
        for (boolean serverSide : new boolean[] {true, false}) {
            EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(serverSide, 1 << 20));
            ch.writeInbound(Unpooled.wrappedBuffer(bytes));
            List<Object> out = new ArrayList<>();
            Object o;
            while ((o = ch.readInbound()) != null) {
                out.add(o);
            }
            ch.finishAndReleaseAll();
            if (out.stream().noneMatch(x -> x instanceof DecodeFailure)) {
                List<Frame> frames = new ArrayList<>();
                out.forEach(x -> frames.add((Frame) x));
                return frames;
            }
            out.forEach(ReferenceCountUtil::release);
        }
        return List.of();
    }
}
