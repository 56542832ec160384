package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.client.RelaisClient;
import io.relais.client.examples.ConsumerExample;
import io.relais.client.examples.DurableConsumerExample;
import io.relais.client.examples.OptionsExample;
import io.relais.client.examples.ProducerExample;
import io.relais.client.examples.RpcClientExample;
import io.relais.client.examples.RpcServerExample;
import io.relais.protocol.frame.QueueInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The examples of {@code client-java/README.md} (test sources of client-java, package
 * {@code io.relais.client.examples}) run against a real broker, and the README shows exactly their code.
 */
class ClientExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "client-java", "src", "test", "java", "io", "relais", "client",
            "examples");
    private final BrokerFixture fixture = new BrokerFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private void awaitQueue(Predicate<QueueInfo> ready, String what) throws InterruptedException {
        RelaisClient admin = fixture.client();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (admin.listQueues().join().stream().noneMatch(ready)) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void shouldRunTheProducerConsumerDurableConsumerAndRpcExamples() throws Exception {
        String server = "127.0.0.1:" + fixture.port();
        DurableConsumerExample.declare(server);
        CompletableFuture<List<String>> consumed = CompletableFuture.supplyAsync(() -> {
            try {
                return ConsumerExample.run(server, 3);
            } catch (InterruptedException e) {
                throw new CompletionException(e);
            }
        });
        awaitQueue(q -> q.name().startsWith("relais.sub.") && q.consumers() == 1, "the consumer subscribed");

        assertThat(ProducerExample.run(server)).isEqualTo(3);
        assertThat(consumed.get(30, TimeUnit.SECONDS)).containsExactly("orders.eu: order from eu",
                "orders.us: order from us", "orders.asia: order from asia");
        assertThat(DurableConsumerExample.run(server, 3)).containsExactly("order from eu", "order from us",
                "order from asia");

        Thread rpcServer = new Thread(() -> {
            try {
                RpcServerExample.main(new String[] {server});
            } catch (InterruptedException stopped) {
                // The test is done with it.
            }
        }, "rpc-server-example");
        rpcServer.start();
        try {
            awaitQueue(q -> q.name().equals("rpc.text.upper") && q.consumers() == 1, "the RPC server is answering");
            assertThat(RpcClientExample.run(server, "hello")).isEqualTo("HELLO");
            assertThat(OptionsExample.run(server)).isEqualTo("HI");
        } finally {
            rpcServer.interrupt();
            rpcServer.join(10_000);
        }
        assertThat(rpcServer.isAlive()).isFalse();
    }

    @Test
    void shouldShowInTheReadmeOnlyCodeThatTheExamplesContain() throws IOException {
        String readme = Files.readString(Path.of("..", "client-java", "README.md"));
        List<List<String>> sources = new ArrayList<>();
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path f : files.toList()) {
                sources.add(normalized(Files.readString(f)));
            }
        }
        Matcher blocks = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        int count = 0;
        while (blocks.find()) {
            count++;
            List<String> block = normalized(blocks.group(1));
            assertThat(sources).as("README code block %d is in one of the examples:%n%s", count, blocks.group(1))
                    .anyMatch(source -> Collections.indexOfSubList(source, block) >= 0);
        }
        assertThat(count).as("code blocks in the README").isGreaterThanOrEqualTo(5);
    }

    private static List<String> normalized(String code) {
        return code.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
