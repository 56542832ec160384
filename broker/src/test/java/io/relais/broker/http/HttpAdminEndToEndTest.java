package io.relais.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relais.broker.AuditLines;
import io.relais.broker.Await;
import io.relais.broker.BrokerFixture;
import io.relais.broker.config.AuthConfig;
import io.relais.client.ConnectionEvent;
import io.relais.client.QueueDeclaration;
import io.relais.client.ReconnectPolicy;
import io.relais.client.RelaisClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP API's changes: publish, peek, bindings, vhosts, users, permissions, definitions, closing connections. */
class HttpAdminEndToEndTest {
    private BrokerFixture fixture = new BrokerFixture();
    private BrokerFixture other;

    @AfterEach
    void close() {
        fixture.close();
        if (other != null) {
            other.close();
        }
    }

    private Http guest() {
        return Http.to(fixture.broker().httpPort()).basic("guest", "guest");
    }


    @Test
    void shouldPublishThroughAnExchangeAndPeekWithoutRemoving() {
        Http g = guest();
        assertThat(g.put("/api/queues/%2F/work", "{\"durable\": false}").status()).isEqualTo(201);
        assertThat(g.put("/api/queues/%2F/work", "{\"durable\": false}").status()).isEqualTo(204);
        assertThat(g.put("/api/exchanges/%2F/jobs", "{\"type\": \"direct\"}").status()).isEqualTo(201);
        assertThat(g.post("/api/bindings/%2F/e/jobs/q/work", "{\"routing_key\": \"run\"}").status()).isEqualTo(201);
        JsonNode bindings = g.get("/api/bindings/%2F").json();
        assertThat(bindings.toString()).contains("\"source\":\"jobs\"", "\"destination\":\"work\"",
                "\"routing_key\":\"run\"");
        Http.Answer routed = g.post("/api/exchanges/%2F/jobs/publish", "{\"routing_key\": \"run\", \"payload\": "
                + "\"hello\", \"properties\": {\"content_type\": \"text/plain\", \"message_id\": \"m1\", "
                + "\"headers\": {\"n\": 7}}}");
        assertThat(routed.status()).isEqualTo(200);
        assertThat(routed.json().get("routed").asBoolean()).isTrue();
        String binary = Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 0, 1});
        assertThat(g.post("/api/exchanges/%2F/jobs/publish", "{\"routing_key\": \"run\", \"payload\": \"" + binary
                + "\", \"payload_encoding\": \"base64\"}").json().get("routed").asBoolean()).isTrue();
        assertThat(g.post("/api/exchanges/%2F/jobs/publish", "{\"routing_key\": \"nobody\", \"payload\": \"x\"}")
                .json().get("routed").asBoolean()).isFalse();
        assertThat(g.post("/api/exchanges/%2F/missing/publish", "{\"routing_key\": \"k\"}").status()).isEqualTo(404);

        Http.Answer peek = g.post("/api/queues/%2F/work/get", "{\"count\": 5}");
        assertThat(peek.status()).isEqualTo(200);
        assertThat(peek.json()).hasSize(2);
        JsonNode first = peek.json().get(0);
        assertThat(first.get("payload").asText()).isEqualTo("hello");
        assertThat(first.get("payload_encoding").asText()).isEqualTo("string");
        assertThat(first.get("exchange").asText()).isEqualTo("jobs");
        assertThat(first.get("routing_key").asText()).isEqualTo("run");
        assertThat(first.get("redelivered").asBoolean()).isFalse();
        assertThat(first.at("/properties/content_type").asText()).isEqualTo("text/plain");
        assertThat(first.at("/properties/message_id").asText()).isEqualTo("m1");
        assertThat(first.at("/properties/headers/n").asInt()).isEqualTo(7);
        JsonNode second = peek.json().get(1);
        assertThat(second.get("payload_encoding").asText()).isEqualTo("base64");
        assertThat(second.get("payload").asText()).isEqualTo(binary);
        assertThat(second.get("payload_bytes").asInt()).isEqualTo(3);
        // Peeking took nothing.
        assertThat(g.get("/api/queues/%2F/work").json().get("messages").asLong()).isEqualTo(2);
        assertThat(g.post("/api/queues/%2F/work/get", "{\"count\": 1, \"encoding\": \"base64\"}").json().get(0)
                .get("payload").asText()).isEqualTo(Base64.getEncoder().encodeToString("hello"
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(g.post("/api/queues/%2F/work/get", "{\"count\": 0}").status()).isEqualTo(400);
        assertThat(g.post("/api/queues/%2F/work/get", "{\"count\": 101}").status()).isEqualTo(400);

        assertThat(g.delete("/api/bindings/%2F/e/jobs/q/work?routing_key=run").status()).isEqualTo(204);
        assertThat(g.post("/api/exchanges/%2F/jobs/publish", "{\"routing_key\": \"run\"}").json().get("routed")
                .asBoolean()).isFalse();
        assertThat(g.delete("/api/queues/%2F/work?if_empty=true").status()).isEqualTo(409);
        assertThat(g.delete("/api/queues/%2F/work").status()).isEqualTo(204);
        assertThat(g.delete("/api/exchanges/%2F/jobs").status()).isEqualTo(204);
        assertThat(g.get("/api/exchanges/%2F/jobs").status()).isEqualTo(404);
    }

    @Test
    void shouldPeekAtADurableQueueWhoseMessagesAreOnDiskAfterARestart() throws Exception {
        Http g = guest();
        g.put("/api/queues/%2F/kept", "{\"durable\": true}");
        g.post("/api/bindings/%2F/e/amq.default/q/kept", "{\"routing_key\": \"kept\"}");
        for (int i = 0; i < 3; i++) {
            assertThat(g.post("/api/exchanges/%2F/amq.default/publish", "{\"routing_key\": \"kept\", \"payload\": \"m"
                    + i + "\", \"properties\": {\"persistent\": true}}").json().get("routed").asBoolean()).isTrue();
        }
        fixture.restart();
        Http after = guest();
        Await.until("the recovered messages are read back", () -> {
            JsonNode list = after.post("/api/queues/%2F/kept/get", "{\"count\": 10}").json();
            return list != null && list.size() == 3;
        });
        JsonNode list = after.post("/api/queues/%2F/kept/get", "{\"count\": 10}").json();
        assertThat(list.get(0).get("payload").asText()).isEqualTo("m0");
        assertThat(list.get(2).get("payload").asText()).isEqualTo("m2");
        assertThat(list.get(0).at("/properties/persistent").asBoolean()).isTrue();
        assertThat(after.get("/api/queues/%2F/kept").json().get("messages").asLong()).isEqualTo(3);
    }

    @Test
    void shouldManageVhostsUsersAndPermissionsForAdministratorsOnly() {
        Http g = guest();
        assertThat(g.put("/api/vhosts/staging", null).status()).isEqualTo(201);
        assertThat(g.put("/api/vhosts/staging", null).status()).isEqualTo(204);
        assertThat(g.put("/api/users/dave", "{\"password\": \"dave-pw\", \"tags\": [\"monitoring\"]}").status())
                .isEqualTo(201);
        assertThat(g.get("/api/users/dave").json().get("tags").get(0).asText()).isEqualTo("monitoring");
        assertThat(g.get("/api/users").json().toString()).contains("\"name\":\"dave\"", "\"name\":\"guest\"");
        assertThat(g.put("/api/permissions/staging/dave", "{\"configure\": \"^dave\\\\.\", \"write\": \".*\", "
                + "\"read\": \".*\"}").status()).isEqualTo(204);
        JsonNode perms = g.get("/api/permissions/staging").json();
        assertThat(perms).hasSize(1);
        assertThat(perms.get(0).get("configure").asText()).isEqualTo("^dave\\.");

        Http dave = Http.to(fixture.broker().httpPort()).basic("dave", "dave-pw");
        assertThat(dave.get("/api/whoami").json().get("monitoring").asBoolean()).isTrue();
        assertThat(dave.get("/api/queues/staging").status()).isEqualTo(200);
        try (AuditLines audit = new AuditLines()) {
            Http.Answer refused = dave.put("/api/vhosts/other", null);
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().get("message").asText()).contains("user 'dave' may not VHOST_PUT");
            assertThat(audit.with("\"event\":\"refused\"", "\"user\":\"dave\"", "VHOST_PUT")).hasSize(1);
            assertThat(dave.get("/api/users").status()).isEqualTo(403);
        }
        // A password change over HTTP: the old one stops working, the new one works.
        assertThat(g.put("/api/users/dave", "{\"password\": \"dave-new\"}").status()).isEqualTo(204);
        assertThat(dave.get("/api/whoami").status()).isEqualTo(401);
        assertThat(Http.to(fixture.broker().httpPort()).basic("dave", "dave-new").get("/api/whoami").status())
                .isEqualTo(200);

        assertThat(g.delete("/api/permissions/staging/dave").status()).isEqualTo(204);
        assertThat(g.delete("/api/permissions/staging/dave").status()).isEqualTo(404);
        assertThat(g.delete("/api/users/dave").status()).isEqualTo(204);
        assertThat(g.get("/api/users/dave").status()).isEqualTo(404);
        assertThat(g.delete("/api/users/guest").status()).as("itself").isEqualTo(409);
        assertThat(g.delete("/api/vhosts/staging").status()).isEqualTo(204);
        assertThat(g.get("/api/vhosts").json().toString()).doesNotContain("staging");
    }

    @Test
    void shouldRoundTripDefinitionsIntoAFreshBroker() {
        Http a = guest();
        a.put("/api/vhosts/v2", null);
        a.put("/api/users/carol", "{\"password\": \"carol-pw\", \"tags\": [\"monitoring\"]}");
        a.put("/api/permissions/v2/carol", "{\"configure\": \"\", \"write\": \"^ex$\", \"read\": \"^q$\"}");
        // Declaring in v2 needs permissions there, for an administrator too (as over the protocol).
        assertThat(a.put("/api/exchanges/v2/ex", "{\"type\": \"direct\", \"durable\": true}").status())
                .isEqualTo(403);
        a.put("/api/permissions/v2/guest", "{\"configure\": \".*\", \"write\": \".*\", \"read\": \".*\"}");
        assertThat(a.put("/api/exchanges/v2/ex", "{\"type\": \"direct\", \"durable\": true}").status())
                .isEqualTo(201);
        assertThat(a.put("/api/queues/v2/q", "{\"durable\": true, \"arguments\": {\"max-length\": 10}}")
                .status()).isEqualTo(201);
        assertThat(a.post("/api/bindings/v2/e/ex/q/q", "{\"routing_key\": \"k\"}").status()).isEqualTo(201);
        Http.Answer exported = a.get("/api/definitions");
        assertThat(exported.status()).isEqualTo(200);
        JsonNode doc = exported.json();
        assertThat(doc.get("users").toString()).contains("carol", "stored_key").doesNotContain("carol-pw");

        // A fresh broker whose only user is root: guest comes with the document, with guest's password.
        other = new BrokerFixture(c -> c.withAuth(AuthConfig.DEFAULTS.withUsers(Map.of("root", "root-pw"), false)));
        Http b = Http.to(other.broker().httpPort()).basic("root", "root-pw");
        try (AuditLines audit = new AuditLines()) {
            Http.Answer first = b.post("/api/definitions", doc.toString());
            assertThat(first.status()).as(first.text()).isEqualTo(204);
            assertThat(audit.with("\"action\":\"import\"", "\"user\":\"root\"")).hasSize(1);
        }
        JsonNode imported = b.get("/api/definitions").json();
        for (String section : new String[] {"vhosts", "users", "permissions", "exchanges", "queues", "bindings"}) {
            for (JsonNode entry : doc.get(section)) {
                assertThat(imported.get(section)).as(section).contains(entry);
            }
        }
        assertThat(Http.to(other.broker().httpPort()).basic("guest", "guest").get("/api/whoami").status())
                .isEqualTo(200);
        assertThat(Http.to(other.broker().httpPort()).basic("carol", "carol-pw").get("/api/whoami").status())
                .as("the same password").isEqualTo(200);
        assertThat(b.post("/api/definitions", doc.toString()).status()).as("again: nothing new").isEqualTo(204);

        String changed = doc.toString().replace("\"max-length\":10", "\"max-length\":20");
        assertThat(changed).as(doc.toString()).contains("\"max-length\":20");
        Http.Answer conflict = b.post("/api/definitions", changed);
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().get("error").asText()).isEqualTo("PRECONDITION_FAILED");
        assertThat(conflict.json().get("message").asText()).contains("queue 'q'");
        assertThat(b.get("/api/queues/v2/q").json().at("/arguments/max-length").asInt()).isEqualTo(10);
        assertThat(b.post("/api/definitions", "{\"vhosts\": [{}]}").status()).isEqualTo(400);
    }

    @Test
    void shouldCloseAConnectionWithTheReasonTheClientSees() throws Exception {
        CompletableFuture<ConnectionEvent> lost = new CompletableFuture<>();
        RelaisClient c = fixture.client(b -> b.reconnect(ReconnectPolicy.disabled()));
        c.onConnectionEvent(e -> {
            if (e.type() == ConnectionEvent.Type.DISCONNECTED || e.type() == ConnectionEvent.Type.CLOSED) {
                lost.complete(e);
            }
        });
        c.declareQueue(QueueDeclaration.named("still-here")).join();
        Http g = guest();
        try (AuditLines audit = new AuditLines()) {
            Http.Answer closed = g.delete("/api/connections/" + c.connectionId() + "?x=1");
            assertThat(closed.status()).isEqualTo(204);
            ConnectionEvent e = lost.get(10, TimeUnit.SECONDS);
            String seen = (e.cause() == null ? "" : e.cause().getMessage()) + " " + e.reason();
            assertThat(seen).contains("closed by an administrator");
            assertThat(audit.with("\"action\":\"close\"", "\"kind\":\"connection\"")).hasSize(1);
        }
        Await.until("the connection is gone", () -> g.get("/api/connections").json().size() == 0);
        assertThat(g.delete("/api/connections/nope").status()).isEqualTo(404);
    }

    @Test
    void shouldCloseAConnectionWithTheReasonGivenInTheBody() throws Exception {
        CompletableFuture<ConnectionEvent> lost = new CompletableFuture<>();
        RelaisClient c = fixture.client(b -> b.reconnect(ReconnectPolicy.disabled()));
        c.onConnectionEvent(e -> {
            if (e.type() == ConnectionEvent.Type.DISCONNECTED || e.type() == ConnectionEvent.Type.CLOSED) {
                lost.complete(e);
            }
        });
        assertThat(guest().send("DELETE", "/api/connections/" + c.connectionId(), "{\"reason\": \"maintenance at "
                + "noon\"}").status()).isEqualTo(204);
        ConnectionEvent e = lost.get(10, TimeUnit.SECONDS);
        String seen = (e.cause() == null ? "" : e.cause().getMessage()) + " " + e.reason();
        assertThat(seen).contains("maintenance at noon");
    }
}
