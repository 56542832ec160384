package io.relais.broker.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.nio.NioEventLoopGroup;
import io.relais.broker.core.queue.FlowLimits;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.core.Names;
import io.relais.broker.core.access.AccessControl;
import io.relais.broker.core.routing.Topology;
import io.relais.broker.store.DiskDefinitions;
import io.relais.broker.store.DiskQueueStorage;
import io.relais.broker.store.DiskSpace;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskMonitorTest {
    private static final long MIB = 1L << 20;

    @Test
    void shouldRaiseBelowTheThresholdAndClearByItselfWhenSpaceReturns(@TempDir Path dir) {
        BrokerConfig config = BrokerConfig.defaults().withDataDir(dir).withStore(BrokerConfig.defaults().fsync(),
                100 * MIB);
        NioEventLoopGroup loops = new NioEventLoopGroup(1);
        try {
            NettyLoops owners = new NettyLoops(loops);
            Topology topology = new Topology(Names.DEFAULT_VHOST, Runnable::run, owners, new DiskDefinitions(dir),
                    new DiskQueueStorage(dir, config.fsync(), null), AccessControl.PERMIT_ALL, FlowLimits.DEFAULTS);
            BrokerContext context = new BrokerContext(config, topology, owners, "test", null);
            AtomicLong free = new AtomicLong(500 * MIB);
            DiskSpace space = new DiskSpace(dir.toString(), free::get, config.minFreeDisk());
            DiskMonitor monitor = new DiskMonitor(context, space);
            monitor.run();
            assertThat(context.diskAlarm()).isFalse();
            free.set(99 * MIB);
            space.probe();
            monitor.run();
            assertThat(context.diskAlarm()).isTrue();
            free.set(105 * MIB);
            space.probe();
            monitor.run();
            assertThat(context.diskAlarm()).as("inside the margin: stays raised, no flapping").isTrue();
            free.set(120 * MIB);
            space.probe();
            monitor.run();
            assertThat(context.diskAlarm()).isFalse();
        } finally {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }
}
