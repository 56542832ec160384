package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class RecordChecksumTest {
    @Test
    void shouldComputeTheSameChecksumWhenTwoThreadsChecksumSlicesOfOnePayload() throws Exception {
        ByteBuf frame = PooledByteBufAllocator.DEFAULT.directBuffer(70_000);
        byte[] bytes = new byte[70_000];
        ThreadLocalRandom.current().nextBytes(bytes);
        frame.writeBytes(bytes);
        ByteBuf header = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        // As a message routed to two durable queues: each store holds its own slice of one frame buffer.
        ByteBuf a = frame.retainedSlice(100, 65_536);
        ByteBuf b = frame.retainedSlice(100, 65_536);
        try {
            int expected = new RecordChecksum().ofMessage(1, 2, 3, 4, 5, header.duplicate(), a.duplicate());
            CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> agreeEveryTime(a, header, expected));
            CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> agreeEveryTime(b, header, expected));
            assertThat(first.get()).isTrue();
            assertThat(second.get()).isTrue();
        } finally {
            a.release();
            b.release();
            frame.release();
        }
    }

    private static boolean agreeEveryTime(ByteBuf payload, ByteBuf header, int expected) {
        RecordChecksum checksum = new RecordChecksum();
        for (int i = 0; i < 2000; i++) {
            if (checksum.ofMessage(1, 2, 3, 4, 5, header.duplicate(), payload) != expected) {
                return false;
            }
        }
        return true;
    }
}
