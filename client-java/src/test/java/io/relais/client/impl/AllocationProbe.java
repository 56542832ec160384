package io.relais.client.impl;

import io.netty.buffer.Unpooled;
import io.relais.client.ConfirmListener;
import io.relais.client.Message;
import io.relais.client.Publisher;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.SubscribeOptions;
import io.relais.client.Subscription;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: a measuring tool for issue 11. Against the {@link MockServer}, it counts the bytes the client's
 * threads (the caller, the network threads, the handler thread) allocate per message on each path, with
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}. The mock server's own threads are not counted.
 * Run with {@code java -cp <test classpath> io.relais.client.impl.AllocationProbe [messages [path]]}, path one
 * of publish, forget, confirmed, publisher, deliver (default: all).
 */
public final class AllocationProbe {
    private static final byte[] PAYLOAD = new byte[100];

    private AllocationProbe() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        for (int round = 0; round < 2; round++) { // the first round warms up
            boolean print = round == 1;
            String only = args.length > 1 ? args[1] : "";
            if (only.isEmpty() || only.equals("publish")) {
                publish(n, print);
            }
            if (only.isEmpty() || only.equals("forget")) {
                publishAndForget(n, print);
            }
            if (only.isEmpty() || only.equals("confirmed")) {
                publishConfirmed(n, print);
            }
            if (only.isEmpty() || only.equals("publisher")) {
                publisher(n, print);
            }
            if (only.isEmpty() || only.equals("deliver")) {
                deliverAndAck(n, print);
            }
        }
        System.exit(0);
    }

    private static long clientBytes() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (name.startsWith("relais-client") || name.startsWith("relais-handler") || t == Thread.currentThread()) {
                sum += mx.getThreadAllocatedBytes(t.getId());
            }
        }
        return sum;
    }

    private static void report(boolean print, String path, long bytes, int n) {
        if (print) {
            System.out.printf("%-44s %8.1f bytes/message%n", path, (double) bytes / n);
        }
    }

    private static Message message() {
        return Message.of("k", PAYLOAD);
    }

    private static void publish(int n, boolean print) throws Exception {
        AtomicLong seen = new AtomicLong();
        try (MockServer server = new MockServer().script(f -> {
            seen.incrementAndGet();
            return List.of();
        }).start(); RelaisClient client = server.clientBuilder().connect()) {
            long before = clientBytes();
            for (int i = 0; i < n; i++) {
                client.publish(message());
            }
            await(seen, n);
            report(print, "publish() (future per message)", clientBytes() - before, n);
        }
    }

    private static void publishAndForget(int n, boolean print) throws Exception {
        AtomicLong seen = new AtomicLong();
        try (MockServer server = new MockServer().script(f -> {
            seen.incrementAndGet();
            return List.of();
        }).start(); RelaisClient client = server.clientBuilder().connect()) {
            long before = clientBytes();
            for (int i = 0; i < n; i++) {
                client.publishAndForget(message());
            }
            await(seen, n);
            report(print, "publishAndForget()", clientBytes() - before, n);
        }
    }

    private static List<Frame> confirmEvery(Frame f, int every) {
        if (f instanceof Publish p && p.seq() > 0 && p.seq() % every == 0) {
            return List.of(new Confirm(p.seq(), true, true, 0));
        }
        return List.of();
    }

    private static void publishConfirmed(int n, boolean print) throws Exception {
        try (MockServer server = new MockServer().script(f -> confirmEvery(f, 50)).start();
                RelaisClient client = server.clientBuilder().connect()) {
            long before = clientBytes();
            CompletableFuture<Void> last = null;
            for (int i = 0; i < n; i++) {
                last = client.publishConfirmed(message());
            }
            last.get(30, TimeUnit.SECONDS);
            report(print, "publishConfirmed() (CONFIRM multiple per 50)", clientBytes() - before, n);
        }
    }

    private static void publisher(int n, boolean print) throws Exception {
        try (MockServer server = new MockServer().script(f -> confirmEvery(f, 50)).start();
                RelaisClient client = server.clientBuilder().connect()) {
            CountDownLatch done = new CountDownLatch(1);
            Publisher publisher = client.publisher(new ConfirmListener() {
                @Override
                public void confirmed(long seq, boolean multiple) {
                    if (seq == n) {
                        done.countDown();
                    }
                }

                @Override
                public void nacked(long seq, RelaisException cause, boolean multiple) {
                    throw new IllegalStateException("nacked " + seq, cause);
                }
            });
            long before = clientBytes();
            for (int i = 0; i < n; i++) {
                publisher.publish(message());
            }
            done.await(30, TimeUnit.SECONDS);
            report(print, "Publisher.publish() (CONFIRM multiple per 50)", clientBytes() - before, n);
        }
    }

    private static void deliverAndAck(int n, boolean print) throws Exception {
        AtomicLong acked = new AtomicLong();
        AtomicLong ackFrames = new AtomicLong();
        try (MockServer server = new MockServer().script(f -> {
            if (f instanceof Subscribe s) {
                return List.of(new SubscribeOk(s.requestId(), s.sid(), s.queue()));
            }
            if (f instanceof Ack a) {
                ackFrames.incrementAndGet();
                acked.accumulateAndGet(a.deliveryTag(), Math::max);
            }
            return List.of();
        }).start(); RelaisClient client = server.clientBuilder().connect()) {
            Subscription sub = client.subscribeQueue("q", SubscribeOptions.defaults().manualAck(true),
                    d -> d.ack()).get(5, TimeUnit.SECONDS);
            long before = clientBytes();
            int burst = 500;
            for (int sent = 0; sent < n; sent += burst) {
                Frame[] frames = new Frame[burst];
                for (int i = 0; i < burst; i++) {
                    frames[i] = new Deliver(sub.sid(), sent + i + 1, 0, "", "k", Properties.EMPTY,
                            Unpooled.wrappedBuffer(PAYLOAD));
                }
                server.send(frames);
                await(acked, sent + burst);
            }
            report(print, "deliver + ack (bursts of 500)", clientBytes() - before, n);
            if (print) {
                System.out.printf("%-44s %8.1f deliveries/ACK frame%n", "", (double) n / ackFrames.get());
            }
        }
    }

    private static void await(AtomicLong counter, long target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (counter.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + counter.get() + " of " + target);
            }
            Thread.sleep(1);
        }
    }
}
