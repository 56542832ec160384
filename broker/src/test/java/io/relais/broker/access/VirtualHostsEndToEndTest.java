package io.relais.broker.access;

import static io.relais.broker.access.AccessBrokers.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import io.relais.broker.AuditLines;
import io.relais.broker.BrokerFixture;
import io.relais.broker.store.DiskVhostStorage;
import io.relais.broker.store.PermissionsFile;
import io.relais.broker.store.VhostsFile;
import io.relais.client.ExchangeType;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.SubscribeOptions;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.QueueInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Virtual hosts on a real broker with the real client: isolation (the same names in two virtual
 * hosts are two resources, and messages do not cross), an unknown virtual host or one without
 * permissions refused at connection, deletion (queues, files and connections go), and durability
 * of the virtual hosts and permissions across a restart, with the default virtual host's files
 * where a broker without virtual hosts kept them.
 */
class VirtualHostsEndToEndTest {
    private AuditLines audit;
    private BrokerFixture broker;
    private RelaisClient admin;

    @BeforeEach
    void start() {
        audit = new AuditLines();
        broker = AccessBrokers.guestAndAlice();
        admin = broker.client();
    }

    @AfterEach
    void stop() {
        broker.close();
        audit.close();
    }

    private static long messages(RelaisClient c, String queue) throws Exception {
        return done(c.listQueues()).stream().filter(q -> q.name().equals(queue)).mapToLong(QueueInfo::messages)
                .findFirst().orElseThrow();
    }

    @Test
    void shouldKeepMessagesInTheirVhostWhenTwoVhostsHaveTheSameNames() throws Exception {
        assertThat(done(admin.vhosts().add("eu"))).isTrue();
        assertThat(done(admin.vhosts().add("eu"))).as("a second add changes nothing").isFalse();
        done(admin.permissions().set("guest", "eu", ".*", ".*", ".*"));
        RelaisClient eu = broker.client("guest", "guest", "eu");
        for (RelaisClient c : List.of(admin, eu)) {
            done(c.declareExchange("orders", ExchangeType.DIRECT, false, false));
            done(c.declareQueue(QueueDeclaration.named("jobs")));
            done(c.bind("jobs", "orders", "new"));
        }
        done(admin.publishConfirmed(Message.builder("new").exchange("orders").payload("for /").build()));
        done(eu.publishConfirmed(Message.builder("new").exchange("orders").payload("for eu 1").build()));
        done(eu.publishConfirmed(Message.builder("new").exchange("orders").payload("for eu 2").build()));
        assertThat(messages(admin, "jobs")).isEqualTo(1);
        assertThat(messages(eu, "jobs")).isEqualTo(2);
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        done(eu.subscribeQueue("jobs", SubscribeOptions.defaults(), d -> got.add(d.payloadAsString())));
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("for eu 1");
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("for eu 2");
        assertThat(got.poll(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(done(admin.vhosts().list())).extracting("name").containsExactly("/", "eu");
        assertThat(done(admin.vhosts().list()).get(1).connections()).isEqualTo(1);
        assertThat(audit.with("\"event\":\"change\"", "\"action\":\"declare\"", "\"kind\":\"vhost\"",
                "\"name\":\"eu\"")).hasSize(1);
    }

    @Test
    void shouldRefuseTheHandshakeWhenTheVhostIsUnknownOrTheUserHasNoPermissionsThere() throws Exception {
        Throwable unknown = catchThrowable(() -> broker.client("guest", "guest", "nowhere"));
        assertThat(unknown).isInstanceOf(RelaisException.class)
                .hasMessageContaining("access to vhost 'nowhere' refused for user 'guest': virtual host 'nowhere' "
                        + "does not exist");
        assertThat(((RelaisException) unknown).code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        done(admin.vhosts().add("private"));
        Throwable noPermissions = catchThrowable(() -> broker.client("alice", "alice-pw", "private"));
        assertThat(noPermissions).hasMessageContaining("access to vhost 'private' refused for user 'alice': user "
                + "'alice' has no permissions in virtual host 'private'");
        assertThat(audit.with("\"event\":\"login\"", "\"vhost\":\"nowhere\"", "\"success\":false",
                "\"reason\":\"access to vhost refused\"")).hasSize(1);
    }

    @Test
    void shouldDeleteItsQueuesFilesPermissionsAndConnectionsWhenAVhostIsDeleted() throws Exception {
        done(admin.vhosts().add("temp"));
        done(admin.permissions().set("guest", "temp", ".*", ".*", ".*"));
        RelaisClient inTemp = broker.client(b -> b.username("guest").password("guest").vhost("temp")
                .reconnect(ReconnectPolicy.disabled()));
        done(inTemp.declareQueue(QueueDeclaration.named("kept").durable(true)));
        done(inTemp.bind("kept", "", "kept"));
        done(inTemp.publishConfirmed(Message.builder("kept").payload("on disk").persistent(true).build()));
        Path dir = new DiskVhostStorage(broker.dataDir(), null, null, null, null).directory("temp");
        assertThat(dir.resolve("queues")).isDirectory();
        assertThat(dir.resolve("definitions.rdf")).isRegularFile();

        done(admin.vhosts().delete("temp"));
        assertThat(dir).doesNotExist();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inTemp.isOpen() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(inTemp.isOpen()).as("its connections are closed").isFalse();
        assertThat(done(admin.vhosts().list())).extracting("name").containsExactly("/");
        assertThat(done(admin.permissions().list(null))).extracting("vhost").containsOnly("/");
        assertThat(catchThrowable(() -> broker.client("guest", "guest", "temp")))
                .hasMessageContaining("virtual host 'temp' does not exist");
        Throwable defaultHost = catchThrowable(() -> done(admin.vhosts().delete("/")));
        assertThat(((RelaisException) defaultHost.getCause()).code()).isEqualTo(ErrorCode.PRECONDITION_FAILED);
        Throwable missing = catchThrowable(() -> done(admin.vhosts().delete("temp")));
        assertThat(((RelaisException) missing.getCause()).code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(audit.with("\"event\":\"change\"", "\"action\":\"delete\"", "\"kind\":\"vhost\"",
                "\"name\":\"temp\"")).hasSize(1);
        assertThat(audit.with("\"event\":\"change\"", "\"action\":\"declare\"", "\"kind\":\"queue\"",
                "\"vhost\":\"temp\"", "\"name\":\"kept\"", "\"durable\":\"true\"")).hasSize(1);
    }

    @Test
    void shouldKeepVhostsPermissionsAndTheirMessagesWhenTheBrokerRestarts() throws Exception {
        done(admin.vhosts().add("durable"));
        done(admin.permissions().set("guest", "durable", ".*", ".*", ".*"));
        done(admin.permissions().set("alice", "durable", "^a", "^a", "^a", "^t\\.", ""));
        done(admin.permissions().set("alice", "/", "", "", ""));
        RelaisClient inDurable = broker.client("guest", "guest", "durable");
        done(inDurable.declareQueue(QueueDeclaration.named("q").durable(true)));
        done(inDurable.bind("q", "", "q"));
        done(inDurable.publishConfirmed(Message.builder("q").payload("survives").persistent(true).build()));
        done(admin.declareQueue(QueueDeclaration.named("root").durable(true)));

        broker.restart();
        RelaisClient again = broker.client();
        assertThat(done(again.vhosts().list())).extracting("name").containsExactly("/", "durable");
        assertThat(done(again.permissions().list("durable"))).extracting("user", "configure", "topicWrite")
                .containsExactly(tuple("alice", "^a", "^t\\."),
                        tuple("guest", ".*", ""));
        assertThat(done(again.permissions().list("/"))).extracting("user", "read")
                .containsExactly(tuple("alice", ""),
                        tuple("guest", ".*"));
        RelaisClient durable = broker.client("guest", "guest", "durable");
        assertThat(messages(durable, "q")).isEqualTo(1);
        assertThat(done(durable.listQueues())).extracting("name").containsExactly("q");
        assertThat(done(again.listQueues())).extracting("name").containsExactly("root");

        // The default virtual host keeps the layout of a data directory from before virtual hosts.
        Path data = broker.dataDir();
        assertThat(data.resolve("definitions.rdf")).isRegularFile();
        assertThat(data.resolve(VhostsFile.FILE_NAME)).isRegularFile();
        assertThat(data.resolve(PermissionsFile.FILE_NAME)).isRegularFile();
        try (Stream<Path> queues = Files.list(data.resolve("queues"))) {
            assertThat(queues.map(p -> p.getFileName().toString()).toList()).singleElement().asString()
                    .startsWith("root-");
        }
        assertThat(data.resolve(DiskVhostStorage.VHOSTS_DIR)).isDirectory();
    }

    @Test
    void shouldStartOnADataDirectoryWrittenBeforeVhostsAndKeepItsQueues() throws Exception {
        done(admin.declareQueue(QueueDeclaration.named("old").durable(true)));
        done(admin.bind("old", "", "old"));
        done(admin.publishConfirmed(Message.builder("old").payload("from before").persistent(true).build()));
        broker.restart(() -> {
            try {
                // What a broker without virtual hosts and permissions left: neither file.
                Files.delete(broker.dataDir().resolve(VhostsFile.FILE_NAME));
                Files.delete(broker.dataDir().resolve(PermissionsFile.FILE_NAME));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        RelaisClient c = broker.client();
        assertThat(messages(c, "old")).isEqualTo(1);
        assertThat(done(c.permissions().list(null))).extracting("user").containsExactly("alice", "guest");
    }
}
