package io.relais.bench.scenario;

import io.relais.broker.Broker;
import io.relais.broker.config.BrokerConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the broker process the runner starts: the default configuration on an ephemeral port and
 * the given data directory; prints {@code listening on PORT} on standard output, runs until killed.
 */
public final class BrokerMain {
    private BrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Broker broker = Broker.start(BrokerConfig.defaults().withPort(0).withDataDir(Path.of(args[0])));
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "bench-broker-shutdown"));
        System.out.println("listening on " + broker.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
