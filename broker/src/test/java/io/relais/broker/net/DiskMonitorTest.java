package io.relais.broker.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.nio.NioEventLoopGroup;
import io.relais.broker.core.queue.FlowLimits;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.core.access.PermissionAccessControl;
import io.relais.broker.core.access.PermissionRepository;
import io.relais.broker.core.access.RefusalListener;
import io.relais.broker.core.routing.ChangeListener;
import io.relais.broker.core.vhost.VirtualHosts;
import io.relais.broker.store.DiskSpace;
import io.relais.broker.store.DiskVhostStorage;
import io.relais.broker.store.StoreFaults;
import io.relais.broker.store.VhostsFile;
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
            PermissionAccessControl permissions = new PermissionAccessControl(PermissionRepository.NONE, Runnable::run,
                    RefusalListener.NONE);
            VirtualHosts vhosts = new VirtualHosts(new VhostsFile(dir), new DiskVhostStorage(dir, config.fsync(), null,
                    DiskSpace.unlimited(), StoreFaults.NONE), Runnable::run, owners, permissions, FlowLimits.DEFAULTS,
                    0, ChangeListener.NONE);
            BrokerContext context = new BrokerContext(config, vhosts, permissions, user -> true, owners, "test", null);
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
