package io.relais.broker.access;

import static io.relais.broker.access.AccessBrokers.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.relais.broker.AuditLines;
import io.relais.broker.BrokerFixture;
import io.relais.client.AccessRefusedException;
import io.relais.client.ExchangeType;
import io.relais.client.Message;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.SubscribeOptions;
import io.relais.protocol.ErrorCode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every kind of permission, allowed and refused, on a real broker with the real client: configure
 * (declare, delete), write (publish; the queue end of bind and unbind), read (consume, purge; the
 * exchange end of bind and unbind), topic write and topic read, and the administrator-only
 * operations. A refusal is ACCESS_REFUSED (1013) naming the user, the resource and the access, and
 * leaves the connection open; every refusal and every change is in the audit log.
 */
class PermissionsEndToEndTest {
    private AuditLines audit;
    private BrokerFixture broker;
    private RelaisClient guest;

    @BeforeEach
    void start() throws Exception {
        audit = new AuditLines();
        broker = AccessBrokers.guestAndAlice();
        guest = broker.client();
        // A first start gives every configured user full permissions in "/": alice's are narrowed here.
        done(guest.permissions().set("alice", "/", "^alice\\.", "^alice\\.", "^alice\\."));
        done(guest.declareExchange("bob.x", ExchangeType.DIRECT, false, false));
        done(guest.declareQueue(QueueDeclaration.named("bob.q")));
        done(guest.bind("bob.q", "bob.x", "k"));
    }

    @AfterEach
    void stop() {
        broker.close();
        audit.close();
    }

    private static AccessRefusedException refused(CompletableFuture<?> f) {
        Throwable t = catchThrowable(() -> f.get(10, TimeUnit.SECONDS));
        assertThat(t).isInstanceOf(ExecutionException.class);
        assertThat(t.getCause()).isInstanceOf(AccessRefusedException.class);
        AccessRefusedException e = (AccessRefusedException) t.getCause();
        assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_REFUSED);
        assertThat(e.rawCode()).isEqualTo(1013);
        return e;
    }

    private static Message to(String exchange, String key, String payload) {
        return Message.builder(key).exchange(exchange).payload(payload).build();
    }

    @Test
    void shouldAllowWhatTheExpressionsMatchAndRefuseTheRestWhenEachAccessKindIsUsed() throws Exception {
        RelaisClient alice = broker.client("alice", "alice-pw", "/");
        // configure: declare
        done(alice.declareQueue(QueueDeclaration.named("alice.q")));
        done(alice.declareExchange("alice.x", ExchangeType.DIRECT, false, false));
        assertThat(refused(alice.declareQueue(QueueDeclaration.named("bob.q2"))))
                .hasMessage("user 'alice' may not configure queue 'bob.q2' in vhost '/'");
        assertThat(refused(alice.declareExchange("bob.x2", ExchangeType.TOPIC, false, false)))
                .hasMessage("user 'alice' may not configure exchange 'bob.x2' in vhost '/'");
        // bind: write on the queue, read on the exchange
        done(alice.bind("alice.q", "alice.x", "k"));
        assertThat(refused(alice.bind("alice.q", "bob.x", "k")))
                .hasMessage("user 'alice' may not read exchange 'bob.x' in vhost '/'");
        assertThat(refused(alice.bind("bob.q", "alice.x", "k")))
                .hasMessage("user 'alice' may not write queue 'bob.q' in vhost '/'");
        // publish: write on the exchange
        done(alice.publishConfirmed(to("alice.x", "k", "one")));
        // A negative CONFIRM carries the code only; the audit log has the whole reason.
        assertThat(refused(alice.publishConfirmed(to("bob.x", "k", "two"))))
                .hasMessage("the broker refused the message: access refused");
        // consume: read on the queue
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        done(alice.subscribeQueue("alice.q", SubscribeOptions.defaults(), d -> got.add(d.payloadAsString())));
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("one");
        refused(alice.subscribeQueue("bob.q", SubscribeOptions.defaults(), d -> got.add("wrong")));
        // purge: read on the queue
        done(alice.purgeQueue("alice.q"));
        assertThat(refused(alice.purgeQueue("bob.q"))).hasMessage("user 'alice' may not read queue 'bob.q' in vhost '/'");
        // unbind: as bind
        assertThat(refused(alice.unbind("bob.q", "bob.x", "k")))
                .hasMessage("user 'alice' may not write queue 'bob.q' in vhost '/'");
        done(alice.unbind("alice.q", "alice.x", "k"));
        // delete: configure
        assertThat(refused(alice.deleteQueue("bob.q", false, false)))
                .hasMessage("user 'alice' may not configure queue 'bob.q' in vhost '/'");
        assertThat(refused(alice.deleteExchange("bob.x", false)))
                .hasMessage("user 'alice' may not configure exchange 'bob.x' in vhost '/'");
        done(alice.deleteExchange("alice.x", false));
        // Refusals are not fatal: the same connection goes on.
        assertThat(alice.isOpen()).isTrue();
        done(alice.deleteQueue("alice.q", false, false));
        assertThat(done(guest.listQueues())).extracting("name").containsExactly("bob.q");

        assertThat(audit.with("\"event\":\"refused\"", "\"user\":\"alice\"", "\"operation\":\"configure\"",
                "\"resource\":\"queue 'bob.q2'\"")).hasSize(1);
        assertThat(audit.with("\"event\":\"refused\"", "\"operation\":\"publish\"", "exchange 'bob.x'",
                "user 'alice' may not write exchange 'bob.x' in vhost '/'")).hasSize(1);
        assertThat(audit.with("\"event\":\"change\"", "\"action\":\"bind\"", "\"name\":\"alice.q\"",
                "\"exchange\":\"alice.x\"")).hasSize(1);
        assertThat(audit.with("\"event\":\"change\"", "\"action\":\"unbind\"", "\"name\":\"alice.q\"")).hasSize(1);
        assertThat(audit.with("\"event\":\"change\"", "\"action\":\"purge\"", "\"name\":\"alice.q\"",
                "\"messages\":\"0\"")).hasSize(1);
    }

    @Test
    void shouldCheckRoutingAndBindingKeysWhenExchangeIsTopicAndTopicPermissionsAreSet() throws Exception {
        done(guest.permissions().set("alice", "/", ".*", ".*", ".*", "^eu\\.", "^eu\\."));
        RelaisClient alice = broker.client("alice", "alice-pw", "/");
        done(alice.declareExchange("orders", ExchangeType.TOPIC, false, false));
        done(alice.declareExchange("plain", ExchangeType.DIRECT, false, false));
        done(alice.declareQueue(QueueDeclaration.named("eu")));
        done(alice.bind("eu", "orders", "eu.#"));
        assertThat(refused(alice.bind("eu", "orders", "us.#")))
                .hasMessage("user 'alice' may not bind with key 'us.#' from topic exchange 'orders' in vhost '/' "
                        + "(topic read permission)");
        done(alice.publishConfirmed(to("orders", "eu.fr", "ok")));
        refused(alice.publishConfirmed(to("orders", "us.ny", "no")));
        assertThat(audit.with("\"event\":\"refused\"", "\"operation\":\"publish\"",
                "may not publish with routing key 'us.ny' to topic exchange 'orders'")).hasSize(1);
        refused(alice.subscribe("orders", "us.*", d -> { }));
        done(alice.subscribe("orders", "eu.*", d -> { }));
        // Topic permissions concern topic exchanges only.
        done(alice.bind("eu", "plain", "us"));
        done(alice.publishConfirmed(to("plain", "us", "direct")));
        assertThat(done(alice.listQueues()).stream().filter(q -> q.name().equals("eu")).findFirst().orElseThrow()
                .messages()).isEqualTo(2);
        assertThat(audit.with("\"event\":\"refused\"", "\"operation\":\"topic read\"", "key 'us.#'")).hasSize(1);
    }

    @Test
    void shouldRefuseAPublisherAtOnceWhenItsPermissionsChangeWhileConnected() throws Exception {
        RelaisClient alice = broker.client("alice", "alice-pw", "/");
        done(alice.declareExchange("alice.x", ExchangeType.FANOUT, false, false));
        done(alice.publishConfirmed(to("alice.x", "", "allowed")));
        done(guest.permissions().set("alice", "/", "^alice\\.", "", "^alice\\."));
        refused(alice.publishConfirmed(to("alice.x", "", "refused now")));
        done(guest.permissions().set("alice", "/", "^alice\\.", "^alice\\.", "^alice\\."));
        done(alice.publishConfirmed(to("alice.x", "", "allowed again")));
        assertThat(done(guest.permissions().clear("alice", "/"))).isTrue();
        refused(alice.publishConfirmed(to("alice.x", "", "no permissions at all")));
        assertThat(done(guest.permissions().clear("alice", "/"))).isFalse();
        Throwable t = catchThrowable(() -> broker.client("alice", "alice-pw", "/"));
        assertThat(t).isInstanceOf(RelaisException.class).hasMessageContaining("access to vhost '/' refused for user "
                + "'alice'");
        assertThat(((RelaisException) t).code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
    }

    @Test
    void shouldLogTheFirstRefusedPublishAndCountTheOthersWhenAPublisherIsRefusedRepeatedly() throws Exception {
        RelaisClient alice = broker.client("alice", "alice-pw", "/");
        for (int i = 0; i < 5; i++) {
            refused(alice.publishConfirmed(to("bob.x", "k", "n" + i)));
        }
        assertThat(audit.with("\"event\":\"refused\"", "\"operation\":\"publish\"")).hasSize(1);
        alice.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (audit.with("\"count\":5").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<String> summary = audit.with("\"event\":\"refused\"", "\"operation\":\"publish\"", "\"count\":5");
        assertThat(summary).hasSize(1);
        assertThat(summary.get(0)).contains("\"user\":\"alice\"").contains("exchange 'bob.x'");
    }

    @Test
    void shouldRefuseBrokerWideOperationsWhenTheUserIsNoAdministrator() throws Exception {
        done(guest.permissions().set("alice", "/", ".*", ".*", ".*"));
        RelaisClient alice = broker.client("alice", "alice-pw", "/");
        assertThat(refused(alice.vhosts().add("mine")))
                .hasMessage("user 'alice' may not VHOST_PUT: that needs the administrator tag");
        refused(alice.vhosts().list());
        refused(alice.permissions().set("alice", "/", ".*", ".*", ".*"));
        refused(alice.permissions().list(null));
        assertThat(alice.isOpen()).isTrue();
        assertThat(done(guest.vhosts().list())).extracting("name").containsExactly("/");
        assertThat(audit.with("\"event\":\"refused\"", "\"operation\":\"vhost_put\"", "\"user\":\"alice\"")).hasSize(1);
        assertThat(audit.with("\"event\":\"change\"", "\"action\":\"set\"", "\"kind\":\"permissions\"",
                "\"name\":\"alice\"", "\"configure\":\".*\"")).hasSize(1);
    }

    @Test
    void shouldRefuseAnInvalidExpressionOrAnUnknownVhostWhenPermissionsAreSet() throws Exception {
        Throwable bad = catchThrowable(() -> done(guest.permissions().set("alice", "/", "(", ".*", ".*")));
        assertThat(bad.getCause()).isInstanceOf(RelaisException.class)
                .hasMessageContaining("the configure expression '(' is not a valid regular expression");
        assertThat(((RelaisException) bad.getCause()).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        Throwable unknown = catchThrowable(() -> done(guest.permissions().set("alice", "nowhere", ".*", ".*", ".*")));
        assertThat(((RelaisException) unknown.getCause()).code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(done(guest.permissions().list("/"))).extracting("user").containsExactly("alice", "guest");
    }
}
