package io.relais.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.relais.protocol.FaultSummary;
import io.relais.protocol.FrameType;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.VectorCatalog;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.Hello;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The slowloris of issue 10 against a broker in its own JVM with the default frame memory (64 MiB):
 * clients that authenticate, send 8 MiB of a 16 MiB frame as fast as they can and stall, in two
 * rounds. In the second, the broker's resident memory (VmRSS of /proc/PID/status) must stay within
 * 100 MB of where it started; in both, the frame timeout (3 s here) must close every client. 20 clients by default, 100 with
 * {@code -Drelais.faults.long=true}. Skipped where /proc is not there.
 */
class SlowlorisMemoryTest {
    private static final int SENT_PER_CLIENT = 8 << 20;
    private static final long RSS_LIMIT_KIB = 100 * 1000;

    @Test
    void shouldKeepResidentMemoryWithin100MbWhenClientsStallInsideLargeFrames(@TempDir Path dir) throws Exception {
        int clients = FaultSummary.rounds(20, 100);
        Path config = dir.resolve("relais.yaml");
        Files.writeString(config, "limits: {frame-timeout: 3s, frame-timeout-per-mib: 0, heartbeat: 0}\n");
        try (BrokerProcess broker = BrokerProcess.start(dir.resolve("data"), List.of("--config", config.toString()))) {
            Path status = Path.of("/proc", String.valueOf(broker.pid()), "status");
            assumeTrue(Files.exists(status), "no /proc on this system");
            // The first round also warms the new JVM up (heap sizing, JIT, Netty's pools): the second
            // shows what the attack itself costs on a broker that has been running.
            Round warmUp = round(broker, status, clients);
            Round measured = round(broker, status, clients);
            for (Round r : List.of(warmUp, measured)) {
                assertThat(r.open).as("clients still sending after 20 s (the frame timeout is 3 s)").isZero();
            }
            assertThat(measured.max - measured.before).as("RSS growth in KiB, at most (clients sent %d MiB)",
                    (long) clients * SENT_PER_CLIENT >> 20).isLessThan(RSS_LIMIT_KIB);
            FaultSummary.report("slowloris/rss", "%d clients each sent 8 MiB of a 16 MiB frame, twice: broker RSS %s; "
                    + "then %s", clients, warmUp, measured);
        }
    }

    /** What one round of the attack did to the broker's RSS (KiB), and how many clients it left sending. */
    private record Round(long before, long max, long after, int open, double seconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d MB -> at most %d MB (+%d MB) -> %d MB once all were closed "
                    + "after %.1f s", before / 1000, max / 1000, (max - before) / 1000, after / 1000, seconds);
        }
    }

    private static Round round(BrokerProcess broker, Path status, int clients) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(clients);
        try {
            for (int i = 0; i < clients; i++) {
                sockets.add(authenticated(broker.port()));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            long before = rssKib(status);
            long start = System.nanoTime();
            List<Future<?>> sent = new ArrayList<>();
            for (Socket s : sockets) {
                sent.add(senders.submit(() -> sendPartialFrame(s)));
            }
            long max = before;
            int open = clients;
            while (open > 0 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
                max = Math.max(max, rssKib(status));
                open = 0;
                for (Future<?> f : sent) {
                    open += f.isDone() ? 0 : 1;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            return new Round(before, max, rssKib(status), open, seconds);
        } finally {
            senders.shutdownNow();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** A connection past READY: HELLO and AUTH as guest, then frames up to READY read and skipped. */
    private static Socket authenticated(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(VectorCatalog.encode(new Hello(1, 1, "slowloris", ProtocolVersion.V1_CAPABILITIES)));
        out.write(VectorCatalog.encode(new Auth(ProtocolVersion.MECH_PLAIN, "\0guest\0guest".getBytes(StandardCharsets.UTF_8), 0)));
        out.flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        while (true) {
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            if (body.length > 1 && body[1] == FrameType.READY.id()) {
                return s;
            }
        }
    }

    /** The length prefix of a 16 MiB frame and 8 MiB of its body; returns when the broker closes the connection. */
    private static void sendPartialFrame(Socket s) {
        try {
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {0x01, 0x00, 0x00, 0x00});
            byte[] chunk = new byte[64 * 1024];
            for (int sent = 0; sent < SENT_PER_CLIENT; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
            // Sent everything: wait for the broker's ERROR and close.
            while (s.getInputStream().read(chunk) >= 0) {
                continue;
            }
        } catch (IOException closedByTheBroker) {
            // expected once the frame timeout closes the connection
        }
    }

    private static long rssKib(Path status) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no VmRSS in " + status);
    }
}
