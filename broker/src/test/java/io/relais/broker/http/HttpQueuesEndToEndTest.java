package io.relais.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relais.broker.AuditLines;
import io.relais.broker.Await;
import io.relais.broker.BrokerFixture;
import io.relais.broker.store.StoreFaults;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.protocol.sasl.ScramCredential;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP API's view of what clients of the Relais protocol do: queues, exchanges, connections, alarms. */
class HttpQueuesEndToEndTest {
    /** Free space the stores are told, or -1 for what the disk reports. */
    private static final class Disk implements StoreFaults {
        volatile long free = -1;

        @Override
        public void beforeSync(String queue) {
            // No sync fault.
        }

        @Override
        public long freeSpace(long reported) {
            long f = free;
            return f >= 0 ? f : reported;
        }
    }

    private final Disk disk = new Disk();
    private final BrokerFixture fixture = new BrokerFixture(c -> c, disk);
    private final Http http = Http.to(fixture.broker().httpPort());
    private final Http guest = http.basic("guest", "guest");

    @AfterEach
    void close() {
        fixture.close();
    }

    private static JsonNode find(JsonNode list, String name) {
        for (JsonNode n : list) {
            if (n.get("name").asText().equals(name)) {
                return n;
            }
        }
        return null;
    }


    @Test
    void shouldListAQueueDeclaredOverTheProtocolWithItsDepthAndPurgeIt() {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("orders").durable(true)).join();
        c.bind("orders", "", "orders.new").join();
        for (int i = 0; i < 3; i++) {
            c.publishConfirmed(Message.builder("orders.new").payload("m" + i).persistent(true).build()).join();
        }
        Http.Answer list = guest.get("/api/queues");
        assertThat(list.status()).isEqualTo(200);
        JsonNode q = find(list.json(), "orders");
        assertThat(q).isNotNull();
        assertThat(q.get("vhost").asText()).isEqualTo("/");
        assertThat(q.get("messages").asLong()).isEqualTo(3);
        assertThat(q.get("durable").asBoolean()).isTrue();
        assertThat(guest.get("/api/queues/%2F/orders").json().get("messages").asLong()).isEqualTo(3);
        Http.Answer purged = guest.delete("/api/queues/%2F/orders/contents");
        assertThat(purged.status()).isEqualTo(200);
        assertThat(purged.json().get("purged").asLong()).isEqualTo(3);
        assertThat(guest.get("/api/queues/%2F/orders").json().get("messages").asLong()).isZero();
        assertThat(guest.get("/api/queues/%2F/nothing").status()).isEqualTo(404);
        assertThat(guest.get("/api/queues/nohost").status()).isEqualTo(404);
    }

    @Test
    void shouldRefuseAPurgeToAUserWithoutReadPermissionWith403AndAnAuditLine() throws Exception {
        RelaisClient admin = fixture.client();
        admin.declareQueue(QueueDeclaration.named("secret")).join();
        fixture.broker().users().create("bob", ScramCredential.create("bob-pw"), Set.of(), false).join();
        // bob may read queue 'mine' only: the vhost is visible to him, 'secret' is not his to purge.
        admin.permissions().set("bob", "/", "", "", "^mine$").get();
        Http bob = http.basic("bob", "bob-pw");
        try (AuditLines audit = new AuditLines()) {
            Http.Answer refused = bob.delete("/api/queues/%2F/secret/contents");
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().get("error").asText()).isEqualTo("ACCESS_REFUSED");
            assertThat(refused.json().get("code").asInt()).isEqualTo(1013);
            assertThat(audit.with("\"event\":\"refused\"", "\"user\":\"bob\"", "queue 'secret'",
                    "\"connection\":\"http:127.0.0.1:")).hasSize(1);
        }
        assertThat(bob.get("/api/whoami").json().get("administrator").asBoolean()).isFalse();
        Http.Answer users = bob.get("/api/overview");
        assertThat(users.status()).isEqualTo(200);
    }

    @Test
    void shouldListExchangesConnectionsAndTheOverview() {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("q1")).join();
        JsonNode exchanges = guest.get("/api/exchanges").json();
        JsonNode def = find(exchanges, "");
        assertThat(def).isNotNull();
        assertThat(def.get("type").asText()).isEqualTo("topic");
        assertThat(guest.get("/api/exchanges/%2F/amq.default").json().get("name").asText()).isEmpty();
        JsonNode connections = guest.get("/api/connections").json();
        assertThat(connections).hasSize(1);
        assertThat(connections.get(0).get("id").asText()).isEqualTo(c.connectionId());
        assertThat(connections.get(0).get("protocol").asText()).isEqualTo("relais");
        assertThat(connections.get(0).get("client_name").asText()).isEqualTo("test");
        assertThat(guest.get("/api/connections/" + c.connectionId()).json().get("user").asText())
                .isEqualTo("guest");
        JsonNode overview = guest.get("/api/overview").json();
        assertThat(overview.at("/object_totals/queues").asLong()).isEqualTo(1);
        assertThat(overview.at("/object_totals/connections").asLong()).isEqualTo(1);
        assertThat(overview.at("/alarms/disk").asBoolean()).isFalse();
        assertThat(overview.get("version").asText()).isNotEmpty();
        boolean httpListed = false;
        for (JsonNode l : overview.get("listeners")) {
            httpListed |= l.get("protocol").asText().equals("http")
                    && l.get("port").asInt() == fixture.broker().httpPort();
        }
        assertThat(httpListed).isTrue();
    }

    @Test
    void shouldServeTheMetricsWithoutAuthenticationAndShowTheirTotalsInTheOverview() {
        RelaisClient c = fixture.client();
        c.declareQueue(QueueDeclaration.named("counted")).join();
        c.bind("counted", "", "counted").join();
        for (int i = 0; i < 4; i++) {
            c.publishConfirmed(Message.builder("counted").payload("m" + i).build()).join();
        }
        Http.Answer scrape = http.get("/metrics");
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.header("content-type")).startsWith("text/plain; version=0.0.4");
        assertThat(scrape.text()).contains("relais_messages_published_total 4.0", "relais_messages_confirmed_total 4.0")
                .contains("relais_queue_messages_ready{vhost=\"/\",queue=\"counted\"} 4");
        JsonNode totals = guest.get("/api/overview").json().get("message_totals");
        assertThat(totals.get("published").asLong()).isEqualTo(4);
        assertThat(totals.get("confirmed").asLong()).isEqualTo(4);
        assertThat(totals.get("unroutable").asLong()).isZero();
    }

    @Test
    void shouldAnswerReady503WhileTheDiskAlarmIsRaised() throws Exception {
        assertThat(http.get("/health/ready").status()).isEqualTo(200);
        disk.free = fixture.config().minFreeDisk() - 1;
        Await.until("the disk alarm shows", () -> http.get("/health/ready").status() == 503);
        Http.Answer notReady = http.get("/health/ready");
        assertThat(notReady.json().get("status").asText()).isEqualTo("not_ready");
        assertThat(notReady.json().at("/checks/disk_alarm").asBoolean()).isTrue();
        assertThat(notReady.json().at("/checks/memory_alarm").asBoolean()).isFalse();
        disk.free = -1;
        Await.until("the disk alarm clears", () -> http.get("/health/ready").status() == 200);
    }
}
