package io.relais.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relais.broker.Broker;
import io.relais.broker.config.AuthConfig;
import io.relais.broker.config.BrokerConfig;
import io.relais.client.ConnectionEvent;
import io.relais.client.ExchangeType;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import io.relais.protocol.frame.QueueInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relais status}, {@code definitions export|import} and {@code connection list|close} against real
 * brokers with their HTTP listener on an ephemeral port, run in-process through picocli: the status counts the
 * queues, an export loads into a second broker (its user logs in there with the same password), a client
 * connected with the Java client is listed and closed with a reason, and a user who is not an administrator is
 * refused with ACCESS_REFUSED and exit status 1.
 */
class AdminApiEndToEndTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private Broker broker;

    @BeforeEach
    void startBroker() {
        broker = start(dir.resolve("a"));
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    private static Broker start(Path dataDir) {
        return Broker.start(BrokerConfig.defaults().withPort(0).withDataDir(dataDir));
    }

    /**
     * A second broker whose first administrator is {@code admin} / {@code admin-pw}, not guest: every broker
     * seeds guest with a salt of its own, so the exported guest would differ from its guest (a conflict).
     */
    private static Broker startTarget(Path dataDir) {
        return Broker.start(BrokerConfig.defaults().withPort(0).withDataDir(dataDir)
                .withAuth(AuthConfig.DEFAULTS.withUsers(Map.of("admin", "admin-pw"), false)));
    }

    private static String http(Broker b) {
        assertThat(b.httpPort()).as("the HTTP listener is on").isPositive();
        return "http://127.0.0.1:" + b.httpPort();
    }

    private static RelaisClient connect(Broker b, String user, String password, String name) {
        return RelaisClient.builder().server("127.0.0.1:" + b.port()).username(user).password(password)
                .clientName(name).reconnect(ReconnectPolicy.disabled()).connect();
    }

    private static InProcessCli relais(Broker b, String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--http";
        all[args.length + 1] = http(b);
        return InProcessCli.run(all);
    }

    @Test
    void shouldCountTheQueuesWhenAskedForTheStatus() throws Exception {
        try (RelaisClient client = connect(broker, "guest", "guest", "status-test")) {
            client.declareQueue(QueueDeclaration.named("status.one")).get(30, TimeUnit.SECONDS);
            client.declareQueue(QueueDeclaration.named("status.two").durable(true)).get(30, TimeUnit.SECONDS);
            InProcessCli status = relais(broker, "status");
            assertThat(status.exitCode()).as(status.stderr()).isZero();
            assertThat(status.stdout()).contains("2 queues").contains("Connections:  1\n")
                    .contains("http 127.0.0.1:" + broker.httpPort()).contains("Alarms:       none\n");

            InProcessCli json = relais(broker, "status", "--json");
            assertThat(json.exitCode()).as(json.stderr()).isZero();
            JsonNode overview = AdminApi.JSON.readTree(json.stdout());
            assertThat(overview.path("object_totals").path("queues").asInt()).isEqualTo(2);
        }
    }

    @Test
    void shouldRecreateTheDefinitionsInASecondBrokerWhenExportedAndImported() throws Exception {
        try (RelaisClient admin = connect(broker, "guest", "guest", "definitions-test")) {
            admin.users().add("carol", "carol-pw", Set.of()).get(30, TimeUnit.SECONDS);
            admin.vhosts().add("orders").get(30, TimeUnit.SECONDS);
            admin.permissions().set("carol", "/", "^carol\\.", "^carol\\.", "^carol\\.").get(30, TimeUnit.SECONDS);
            admin.declareExchange("carol.x", ExchangeType.DIRECT, true, false).get(30, TimeUnit.SECONDS);
            admin.declareQueue(QueueDeclaration.named("carol.q").durable(true)).get(30, TimeUnit.SECONDS);
            admin.bind("carol.q", "carol.x", "jobs").get(30, TimeUnit.SECONDS);
        }
        Path file = dir.resolve("definitions.json");
        InProcessCli export = relais(broker, "definitions", "export", file.toString());
        assertThat(export.exitCode()).as(export.stderr()).isZero();
        assertThat(export.stdout()).startsWith("exported ").endsWith(" to " + file + "\n");
        String document = Files.readString(file);
        assertThat(document).contains("\"carol\"", "\"carol.q\"", "\"carol.x\"", "\"orders\"")
                .doesNotContain("carol-pw");

        Broker second = startTarget(dir.resolve("b"));
        try {
            InProcessCli load = relais(second, "definitions", "import", file.toString(), "--user", "admin",
                    "--password", "admin-pw");
            assertThat(load.exitCode()).as(load.stderr()).isZero();
            assertThat(load.stdout()).startsWith("imported ").endsWith(" from " + file + "\n");
            try (RelaisClient carol = connect(second, "carol", "carol-pw", "imported-user")) {
                List<QueueInfo> queues = carol.listQueues().get(30, TimeUnit.SECONDS);
                assertThat(queues).extracting(QueueInfo::name).contains("carol.q");
                carol.publishConfirmed(Message.builder("jobs").exchange("carol.x")
                        .payload("routed by the imported binding").build()).get(30, TimeUnit.SECONDS);
                assertThat(carol.listQueues().get(30, TimeUnit.SECONDS)).filteredOn(q -> q.name().equals("carol.q"))
                        .singleElement().satisfies(q -> assertThat(q.messages()).isEqualTo(1));
            }
            try (RelaisClient guest = connect(second, "guest", "guest", "check")) {
                assertThat(guest.vhosts().list().get(30, TimeUnit.SECONDS)).extracting(v -> v.name())
                        .as("guest came with its password and administrator tag").contains("orders");
            }
            InProcessCli again = relais(second, "definitions", "import", file.toString(), "--user", "admin",
                    "--password", "admin-pw");
            assertThat(again.exitCode()).as("importing the same document again changes nothing: %s", again.stderr())
                    .isZero();
        } finally {
            second.close();
        }
    }

    @Test
    void shouldNameTheConflictAndImportTheRestWhenAQueueExistsWithOtherProperties() throws Exception {
        try (RelaisClient admin = connect(broker, "guest", "guest", "conflict-source")) {
            admin.declareExchange("conflict.x", ExchangeType.FANOUT, true, false).get(30, TimeUnit.SECONDS);
            admin.declareQueue(QueueDeclaration.named("conflict.q").durable(true)).get(30, TimeUnit.SECONDS);
        }
        Path file = dir.resolve("conflict.json");
        assertThat(relais(broker, "definitions", "export", file.toString()).exitCode()).isZero();
        Broker second = startTarget(dir.resolve("c"));
        try (RelaisClient admin = connect(second, "admin", "admin-pw", "conflict-target")) {
            admin.declareQueue(QueueDeclaration.named("conflict.q").durable(false)).get(30, TimeUnit.SECONDS);
            InProcessCli load = relais(second, "definitions", "import", file.toString(), "--user", "admin",
                    "--password", "admin-pw");
            assertThat(load.exitCode()).isEqualTo(1);
            assertThat(load.stdout()).isEmpty();
            assertThat(load.stderr()).startsWith("relais: 1 definitions were not imported, everything else was: ")
                    .contains("conflict.q").endsWith(" (PRECONDITION_FAILED, 1003)\n");
            assertThat(admin.listExchanges().get(30, TimeUnit.SECONDS)).extracting(x -> x.name())
                    .as("the rest was imported").contains("conflict.x");
            assertThat(admin.listQueues().get(30, TimeUnit.SECONDS)).filteredOn(q -> q.name().equals("conflict.q"))
                    .singleElement().satisfies(q -> assertThat(q.durable()).as("left as it was").isFalse());
        } finally {
            second.close();
        }
    }

    @Test
    void shouldListAClientAndCloseItWithTheReasonWhenAskedTo() throws Exception {
        try (RelaisClient worker = connect(broker, "guest", "guest", "e2e-worker")) {
            CompletableFuture<ConnectionEvent> closed = new CompletableFuture<>();
            worker.onConnectionEvent(event -> {
                if (event.type() == ConnectionEvent.Type.CLOSED || event.type() == ConnectionEvent.Type.DISCONNECTED) {
                    closed.complete(event);
                }
            });
            InProcessCli list = relais(broker, "connection", "list");
            assertThat(list.exitCode()).as(list.stderr()).isZero();
            List<String> lines = list.stdout().lines().toList();
            assertThat(lines.get(0)).startsWith("ID ");
            String row = lines.stream().filter(l -> l.contains("e2e-worker")).findFirst().orElseThrow(
                    () -> new AssertionError("no row for the client in:\n" + list.stdout()));
            String id = row.substring(0, row.indexOf(' '));
            assertThat(row).contains("guest", "/", "127.0.0.1");

            InProcessCli close = relais(broker, "connection", "close", id, "--reason", "maintenance window");
            assertThat(close.exitCode()).as(close.stderr()).isZero();
            assertThat(close.stdout()).isEqualTo("closed connection " + id + " (maintenance window)\n");
            ConnectionEvent event = closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(event.cause()).isNotNull();
            assertThat(event.cause().getMessage()).contains("maintenance window");
            assertThat(worker.isOpen()).isFalse();

            InProcessCli after = relais(broker, "connection", "list");
            assertThat(after.stdout()).doesNotContain("e2e-worker");
            InProcessCli unknown = relais(broker, "connection", "close", id);
            assertThat(unknown.exitCode()).isEqualTo(1);
            assertThat(unknown.stderr()).startsWith("relais: ").contains("(NOT_FOUND, ");
        }
    }

    @Test
    void shouldRefuseAUserWhoIsNotAnAdministratorWhenExportingOrClosing() throws Exception {
        try (RelaisClient admin = connect(broker, "guest", "guest", "admin")) {
            admin.users().add("dave", "dave-pw", Set.of()).get(30, TimeUnit.SECONDS);
            admin.permissions().set("dave", "/", ".*", ".*", ".*").get(30, TimeUnit.SECONDS);
            InProcessCli export = relais(broker, "definitions", "export", "-", "--user", "dave", "--password",
                    "dave-pw");
            assertThat(export.exitCode()).isEqualTo(1);
            assertThat(export.stdout()).isEmpty();
            assertThat(export.stderr()).startsWith("relais: ").endsWith(" (ACCESS_REFUSED, 1013)\n");

            // Another user's connection is not even visible to him: NOT_FOUND, as for a connection that is gone.
            String id = admin.connectionId();
            InProcessCli close = relais(broker, "connection", "close", id, "--user", "dave", "--password", "dave-pw");
            assertThat(close.exitCode()).isEqualTo(1);
            assertThat(close.stderr()).isEqualTo("relais: no connection '" + id + "' (NOT_FOUND, 1002)\n");
            assertThat(admin.isOpen()).as("the administrator's connection stays open").isTrue();
            InProcessCli list = relais(broker, "connection", "list", "--user", "dave", "--password", "dave-pw");
            assertThat(list.exitCode()).as(list.stderr()).isZero();
            assertThat(list.stdout()).doesNotContain(id);

            InProcessCli wrong = relais(broker, "status", "--user", "dave", "--password", "not-it");
            assertThat(wrong.exitCode()).isEqualTo(1);
            assertThat(wrong.stderr()).startsWith("relais: ").contains("(AUTHENTICATION_FAILED, ");
        }
    }
}
